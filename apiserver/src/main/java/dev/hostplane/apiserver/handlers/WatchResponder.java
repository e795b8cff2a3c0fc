package dev.hostplane.apiserver.handlers;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.protobuf.KubeProtobuf;
import dev.hostplane.apiserver.registry.WatchSession;
import dev.hostplane.apiserver.server.HttpExchange;
import dev.hostplane.apiserver.api.EncodedForms;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes watch events as newline-delimited JSON ({@code {"type":..,"object":..}}) on a streamed response. Memory is
 * bounded: once the connection stops draining, at most {@link #MAX_PENDING_BYTES} more are queued, after which the
 * watch is ended (the client resumes from its last resourceVersion).
 *
 * <p>Threading: {@link #event} is called on the storage dispatcher thread, one call at a time per watch.
 */
final class WatchResponder implements WatchSession.EventSink {
  static final long MAX_PENDING_BYTES = 16L << 20;

  private final Request req;
  private final String contentType;
  private final boolean protobuf;
  private final java.util.function.BiFunction<String, ObjectNode, ObjectNode> view;
  private volatile HttpExchange.ResponseStream stream;
  private final AtomicLong pendingSinceBlocked = new AtomicLong(-1);

  /**
   * @param view turns each event's object into the negotiated view (Table rows, PartialObjectMetadata); called in
   *     event order, on one thread at a time
   */
  WatchResponder(Request req, String contentType,
      java.util.function.BiFunction<String, ObjectNode, ObjectNode> view) {
    this.req = req;
    this.protobuf = contentType.startsWith(KubeProtobuf.MEDIA_TYPE);
    this.contentType = protobuf ? KubeProtobuf.WATCH_MEDIA_TYPE : contentType;
    this.view = view;
  }

  void open() {
    stream = req.exchange().startStream(200, Map.of(
        "Content-Type", contentType,
        "Cache-Control", "no-cache, private"));
  }

  @Override
  public boolean event(String type, ObjectNode object) {
    return event(type, object, null);
  }

  @Override
  public boolean event(String type, ObjectNode object, EncodedForms forms) {
    HttpExchange.ResponseStream s = stream;
    if (s == null || !s.isOpen()) {
      return false;
    }
    ObjectNode shown = type.equals("ERROR") ? object : view.apply(type, object);
    // The object as the client sees it is the shared one (no Table or metadata view): its bytes are shared too.
    EncodedForms shared = shown == object ? forms : null;
    byte[] line;
    if (protobuf) {
      line = shared == null ? KubeProtobuf.encodeWatchEvent(type, shown)
          : KubeProtobuf.watchFrame(type, shared.get(EncodedForms.Format.PROTOBUF,
              () -> KubeProtobuf.encodeWatchObject(shown)));
    } else {
      byte[] obj = shared == null ? jsonObject(shown)
          : shared.get(EncodedForms.Format.JSON, () -> jsonObject(shown));
      line = jsonLine(type, obj);
    }
    long pending = pendingSinceBlocked.get();
    if (pending >= 0 && pending + line.length > MAX_PENDING_BYTES) {
      return false; // too slow: end the watch rather than grow memory
    }
    boolean writable = s.write(line);
    if (pending >= 0) {
      pendingSinceBlocked.addAndGet(line.length);
    } else if (!writable && pendingSinceBlocked.compareAndSet(-1, 0)) {
      // Thread hop: onWritable runs on the event loop when the buffer drains.
      s.onWritable(() -> pendingSinceBlocked.set(-1));
    }
    return true;
  }

  /** The JSON of {@code object} without a trailing newline. */
  private static byte[] jsonObject(ObjectNode object) {
    byte[] obj = Codecs.writeJson(object);
    int n = obj.length;
    return n > 0 && obj[n - 1] == '\n' ? Arrays.copyOf(obj, n - 1) : obj;
  }

  private static final Map<String, byte[]> HEADS = Map.of(
      "ADDED", head("ADDED"), "MODIFIED", head("MODIFIED"), "DELETED", head("DELETED"),
      "BOOKMARK", head("BOOKMARK"), "ERROR", head("ERROR"));

  private static byte[] head(String type) {
    return ("{\"type\":\"" + type + "\",\"object\":").getBytes(StandardCharsets.US_ASCII);
  }

  /** {@code {"type":..,"object":..}\n} around the object's JSON. */
  private static byte[] jsonLine(String type, byte[] obj) {
    byte[] head = HEADS.get(type);
    if (head == null) {
      head = head(type);
    }
    byte[] line = new byte[head.length + obj.length + 2];
    System.arraycopy(head, 0, line, 0, head.length);
    System.arraycopy(obj, 0, line, head.length, obj.length);
    line[line.length - 2] = '}';
    line[line.length - 1] = '\n';
    return line;
  }

  @Override
  public void end() {
    HttpExchange.ResponseStream s = stream;
    if (s != null) {
      s.end();
    }
  }
}
