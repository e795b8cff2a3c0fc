package dev.hostplane.ops.bench;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;

/**
 * One watch stream of the watch phase: frames its events, records the delivery latency of each stamped event
 * (receive time minus the send time in the event's annotation, both {@link System#nanoTime()} of this process)
 * and remembers which sequence numbers arrived.
 *
 * <p>Threading: the {@link ResponseListener} methods run on the stream's event loop; the query methods may be
 * called from any thread (state is guarded by this object's lock).
 */
final class Watcher implements ResponseListener {
  private static final int MAX_ERROR_BODY = 4096;

  private final int id;
  private final Latencies latencies;
  private final JsonFramer framer = new JsonFramer();
  private final CompletableFuture<Integer> opened = new CompletableFuture<>();
  private final BitSet seen = new BitSet();
  private final StringBuilder errorBody = new StringBuilder();
  private int status;
  private long duplicates;
  private long lastReceivedNanos = Long.MIN_VALUE;
  private String problem; // why the watch is not healthy, or null
  private volatile boolean cancelling;

  Watcher(int id, Latencies latencies) {
    this.id = id;
    this.latencies = latencies;
  }

  int id() {
    return id;
  }

  /** Completes with the response status once the server answered the watch request. */
  CompletableFuture<Integer> opened() {
    return opened;
  }

  /** Marks the coming stream failure as ours (a cancel), not a problem. */
  void cancelling() {
    cancelling = true;
  }

  @Override
  public void headers(int status) {
    this.status = status;
    opened.complete(status);
  }

  @Override
  public void data(ByteBuf content, long receivedNanos) {
    if (status != 200) {
      int n = Math.min(content.readableBytes(), MAX_ERROR_BODY - errorBody.length());
      errorBody.append(content.toString(content.readerIndex(), Math.max(0, n), StandardCharsets.UTF_8));
      return;
    }
    framer.feed(content, (bytes, offset, length) -> event(bytes, offset, length, receivedNanos));
  }

  private void event(byte[] bytes, int offset, int length, long receivedNanos) {
    ObservedEvent e;
    try {
      e = ObservedEvent.parse(bytes, offset, length);
    } catch (IOException ex) {
      problem("unreadable event: " + ex.getMessage());
      return;
    }
    if ("ERROR".equals(e.type())) {
      problem("the server sent an ERROR event: " + e.message());
      return;
    }
    if (!e.stamped()) {
      return; // a bookmark, or a change made by someone else
    }
    latencies.record(receivedNanos - e.sentNanos());
    synchronized (this) {
      if (seen.get(e.seq())) {
        duplicates++;
      } else {
        seen.set(e.seq());
        lastReceivedNanos = Math.max(lastReceivedNanos, receivedNanos);
      }
    }
  }

  @Override
  public void end() {
    if (status != 200) {
      problem(new HttpResponse(status, errorBody.toString().getBytes(StandardCharsets.UTF_8)).describe());
    } else {
      problem("the server ended the watch early");
    }
    opened.completeExceptionally(new IOException("watch ended"));
  }

  @Override
  public void failed(Throwable cause) {
    if (!cancelling) {
      problem("the watch failed: " + Http2Client.describe(cause));
    }
    opened.completeExceptionally(cause);
  }

  private synchronized void problem(String why) {
    if (problem == null) {
      problem = why;
    }
  }

  synchronized String problem() {
    return problem;
  }

  /** Events of {@code expected} this watcher has not received. */
  synchronized int missing(BitSet expected) {
    BitSet m = (BitSet) expected.clone();
    m.andNot(seen);
    return m.cardinality();
  }

  /** Distinct stamped events received. */
  synchronized int received() {
    return seen.cardinality();
  }

  /** {@link System#nanoTime()} when the latest new stamped event arrived; Long.MIN_VALUE before the first. */
  synchronized long lastReceivedNanos() {
    return lastReceivedNanos;
  }

  synchronized long duplicates() {
    return duplicates;
  }
}
