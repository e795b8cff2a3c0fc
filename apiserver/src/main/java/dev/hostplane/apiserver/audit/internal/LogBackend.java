package dev.hostplane.apiserver.audit.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log's writer: a bounded queue of events drained by one thread ({@code audit-log}), which formats and
 * appends them. A full queue never stalls a request for long: {@link #offer} either waits up to its bound (the
 * blocking modes, and never on an event loop thread) or not at all (batch), then drops the event and counts it.
 *
 * @param <E> the event type; {@code format} turns one into a line (with its newline) on the writer thread
 */
public final class LogBackend<E> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LogBackend.class);
  /** Events taken from the queue at most for one flush beyond the batch size. */
  private static final int DRAIN_LIMIT = 1024;

  /** Where lines go: a rotating file or stdout. */
  public interface Output extends AutoCloseable {
    void write(byte[] line) throws IOException;

    void flush() throws IOException;

    @Override
    void close() throws IOException;
  }

  /** Counts events that were dropped or could not be written, for {@code apiserver_audit_error_total}. */
  @FunctionalInterface
  public interface Counters {
    void dropped(int n);
  }

  private final BlockingQueue<E> queue;
  private final Output output;
  private final Function<E, byte[]> format;
  private final Counters counters;
  private final int maxBatch;
  private final long maxWaitNanos;
  private final Thread writer;
  private volatile boolean closing;

  /**
   * @param bufferSize the queue's capacity
   * @param maxBatch events a write waits for (up to {@code maxWaitNanos}) before it flushes; more that are already
   *     queued go along
   * @param maxWaitNanos how long a partial batch waits for more events before it is written
   */
  public LogBackend(Output output, Function<E, byte[]> format, Counters counters, int bufferSize, int maxBatch,
      long maxWaitNanos) {
    this.queue = new ArrayBlockingQueue<>(bufferSize);
    this.output = output;
    this.format = format;
    this.counters = counters;
    this.maxBatch = Math.max(1, maxBatch);
    this.maxWaitNanos = maxWaitNanos;
    this.writer = new Thread(this::run, "audit-log");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /**
   * Queues {@code event}, waiting at most {@code waitNanos} for room (0: not at all). Returns false, having counted
   * the event as dropped, when there was none.
   */
  public boolean offer(E event, long waitNanos) {
    boolean queued;
    try {
      queued = waitNanos <= 0 ? queue.offer(event) : queue.offer(event, waitNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      queued = false;
    }
    if (!queued) {
      counters.dropped(1);
    }
    return queued;
  }

  /** Events queued and not yet written. */
  public int pending() {
    return queue.size();
  }

  private void run() {
    List<E> batch = new ArrayList<>(Math.max(maxBatch, DRAIN_LIMIT + 1));
    while (!closing || !queue.isEmpty()) {
      try {
        E first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        // Whatever else is queued goes out in the same write and flush: a writer that fell behind catches up.
        queue.drainTo(batch, DRAIN_LIMIT);
        long deadline = System.nanoTime() + maxWaitNanos;
        while (batch.size() < maxBatch) {
          long left = deadline - System.nanoTime();
          E next = left > 0 && !closing ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
          if (next == null) {
            break;
          }
          batch.add(next);
        }
      } catch (InterruptedException e) {
        if (!closing) {
          continue;
        }
      }
      write(batch);
      batch.clear();
    }
  }

  private void write(List<E> batch) {
    if (batch.isEmpty()) {
      return;
    }
    try {
      for (E e : batch) {
        output.write(format.apply(e));
      }
      output.flush();
    } catch (IOException | RuntimeException e) {
      LOG.error("writing {} audit events failed: {}", batch.size(), e.toString());
      counters.dropped(batch.size());
    }
  }

  /** Writes what is queued (waiting at most 5 s), then closes the output. */
  @Override
  public void close() {
    closing = true;
    try {
      writer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      output.close();
    } catch (IOException e) {
      LOG.warn("closing the audit log: {}", e.toString());
    }
  }
}
