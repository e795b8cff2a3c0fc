package dev.hostplane.apiserver.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.audit.internal.LegacyFormat;
import dev.hostplane.apiserver.audit.internal.LogBackend;
import dev.hostplane.apiserver.audit.internal.RotatingFile;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Auditing: evaluates the policy for each request ({@link #begin}) and sends each stage's event to the log
 * backend. Metrics under upstream's names: {@code apiserver_audit_event_total} (events generated),
 * {@code apiserver_audit_error_total{plugin="log"}} (events dropped or not written) and
 * {@code apiserver_audit_level_total{level}} (one per request evaluated).
 *
 * <p>Never blocks a request for long: in batch mode a full buffer drops the event at once; in the blocking modes a
 * request thread waits up to the configured bound for room, and an event loop thread never waits. In
 * blocking-strict mode a request whose RequestReceived event is dropped is refused.
 */
public final class Auditor implements AutoCloseable {
  private final AuditPolicy policy;
  private final LogBackend<ObjectNode> backend;
  private final AuditOptions.Mode mode;
  private final long waitNanos;
  private final Counter events;
  private final Map<Level, Counter> levels = new EnumMap<>(Level.class);

  Auditor(AuditPolicy policy, LogBackend.Output output, AuditOptions.Format format, AuditOptions.Mode mode,
      int bufferSize, int batchMaxSize, Duration batchMaxWait, Duration blockingWait, MeterRegistry registry) {
    this.policy = policy;
    this.mode = mode;
    this.waitNanos = mode == AuditOptions.Mode.BATCH ? 0 : blockingWait.toNanos();
    this.events = Counter.builder("apiserver.audit.event")
        .description("Counter of audit events generated and sent to the audit backend.").register(registry);
    Counter errors = Counter.builder("apiserver.audit.error").tag("plugin", "log")
        .description("Counter of audit events that failed to be audited properly. Plugin identifies the plugin "
            + "affected by the error.").register(registry);
    for (Level l : Level.values()) {
      levels.put(l, Counter.builder("apiserver.audit.level").tag("level", l.name())
          .description("Counter of policy levels for audit events (1 per request).").register(registry));
    }
    Function<ObjectNode, byte[]> formatter = format == AuditOptions.Format.LEGACY ? LegacyFormat::line
        : Auditor::jsonLine;
    this.backend = new LogBackend<>(output, formatter, errors::increment, bufferSize, batchMaxSize,
        batchMaxWait.toNanos());
  }

  /** Starts the log writer for {@code options}; blocking I/O (opens the file): call at start-up. */
  public static Auditor start(AuditOptions options, MeterRegistry registry, Clock clock) throws IOException {
    LogBackend.Output output = options.logPath().equals("-") ? stdout()
        : file(new RotatingFile(Path.of(options.logPath()), options.maxSizeBytes(), options.maxBackups(),
            Duration.ofDays(options.maxAgeDays()), clock));
    return new Auditor(options.policy(), output, options.format(), options.mode(), options.bufferSize(),
        options.batchMaxSize(), options.batchMaxWait(), options.blockingWait(), registry);
  }

  /** An auditor writing to {@code out} (tests: a slow or blocked stream stands for a slow disk). */
  public static Auditor toStream(AuditPolicy policy, OutputStream out, AuditOptions.Mode mode, int bufferSize,
      Duration blockingWait, MeterRegistry registry) {
    return new Auditor(policy, stream(out), AuditOptions.Format.JSON, mode, bufferSize, 1, Duration.ZERO,
        blockingWait, registry);
  }

  private static byte[] jsonLine(ObjectNode e) {
    byte[] json = Codecs.writeJson(e);
    if (json.length > 0 && json[json.length - 1] == '\n') {
      return json;
    }
    byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
    line[json.length] = '\n';
    return line;
  }

  /**
   * The request's audit context, or null when the policy says {@link Level#None}. Counts the level either way.
   */
  public AuditContext begin(AuditContext.Subject subject, AuditPolicy.Attributes attributes, Instant received) {
    AuditPolicy.Decision d = policy.evaluate(attributes);
    levels.get(d.level()).increment();
    if (d.level() == Level.None) {
      return null;
    }
    return new AuditContext(this, subject, d, received);
  }

  /** Whether a dropped RequestReceived event must fail its request (blocking-strict). */
  public boolean strict() {
    return mode == AuditOptions.Mode.BLOCKING_STRICT;
  }

  boolean emit(ObjectNode event) {
    events.increment();
    // Thread check: an event loop never waits for room in the buffer.
    long wait = Thread.currentThread() instanceof FastThreadLocalThread ? 0 : waitNanos;
    return backend.offer(event, wait);
  }

  /** Writes what is buffered and closes the log. */
  @Override
  public void close() {
    backend.close();
  }

  private static LogBackend.Output stdout() {
    PrintStream out = System.out;
    return new LogBackend.Output() {
      @Override
      public void write(byte[] line) {
        out.write(line, 0, line.length);
      }

      @Override
      public void flush() {
        out.flush();
      }

      @Override
      public void close() {
        out.flush();
      }
    };
  }

  private static LogBackend.Output file(RotatingFile f) {
    return new LogBackend.Output() {
      @Override
      public void write(byte[] line) throws IOException {
        f.write(line, 0, line.length);
      }

      @Override
      public void flush() throws IOException {
        f.flush();
      }

      @Override
      public void close() throws IOException {
        f.close();
      }
    };
  }

  private static LogBackend.Output stream(OutputStream s) {
    return new LogBackend.Output() {
      @Override
      public void write(byte[] line) throws IOException {
        s.write(line);
      }

      @Override
      public void flush() throws IOException {
        s.flush();
      }

      @Override
      public void close() throws IOException {
        s.close();
      }
    };
  }
}
