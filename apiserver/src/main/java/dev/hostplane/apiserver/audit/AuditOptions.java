package dev.hostplane.apiserver.audit;

import dev.hostplane.apiserver.config.Flags;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.LoggerFactory;

/**
 * The audit flags, kube-apiserver's names and defaults: {@code --audit-policy-file}, {@code --audit-log-path}
 * ({@code -} for stdout), rotation ({@code --audit-log-maxsize} MB, {@code --audit-log-maxbackup},
 * {@code --audit-log-maxage} days), {@code --audit-log-format} (json, legacy), {@code --audit-log-mode} (batch,
 * blocking, blocking-strict) and the buffer flags. Auditing is on when both a policy and a log path are given.
 *
 * @param maxSizeMb the size at which the log rotates; 0 means upstream's 100 MB
 * @param maxBackups rotated files kept; 0 keeps all
 * @param maxAgeDays days rotated files are kept; 0 keeps them
 * @param bufferSize events queued for the writer at most; more are dropped (counted)
 * @param blockingWait how long a request waits for room in the queue in the blocking modes before its event is
 *     dropped
 */
public record AuditOptions(AuditPolicy policy, String logPath, int maxSizeMb, int maxBackups, int maxAgeDays,
    Format format, Mode mode, int bufferSize, int batchMaxSize, Duration batchMaxWait, Duration blockingWait) {

  public enum Format { JSON, LEGACY }

  public enum Mode { BATCH, BLOCKING, BLOCKING_STRICT }

  /** Declares the audit flags on {@code f}. */
  public static Flags declare(Flags f) {
    return f
        .declare("audit-policy-file", "", "Path to the file that defines the audit policy configuration.")
        .declare("audit-log-path", "", "If set, all requests coming to the apiserver will be logged to this file. "
            + "'-' means standard out.")
        .declare("audit-log-maxage", "0", "The maximum number of days to retain old audit log files based on the "
            + "timestamp encoded in their filename.")
        .declare("audit-log-maxbackup", "0", "The maximum number of old audit log files to retain. Setting a "
            + "value of 0 will mean there's no restriction on the number of files.")
        .declare("audit-log-maxsize", "0", "The maximum size in megabytes of the audit log file before it gets "
            + "rotated (0: 100).")
        .declare("audit-log-format", "json", "Format of saved audits. \"legacy\" indicates 1-line text format "
            + "for each event. \"json\" indicates structured json format. Known formats are legacy,json.")
        .declare("audit-log-mode", "blocking", "Strategy for sending audit events. Blocking indicates sending "
            + "events should block server responses (here: for at most --audit-log-blocking-wait, then the event "
            + "is dropped and counted). Batch causes the backend to buffer and write events asynchronously, "
            + "dropping them when the buffer is full. Known modes are batch,blocking,blocking-strict.")
        .declare("audit-log-batch-buffer-size", "10000", "The size of the buffer to store events before "
            + "batching and writing.")
        .declare("audit-log-batch-max-size", "1", "The maximum size of a batch.")
        .declare("audit-log-batch-max-wait", "0s", "The amount of time to wait before force writing the batch "
            + "that hadn't reached the max size.")
        .declareHidden("audit-log-blocking-wait", "1s", "In the blocking modes, how long a request waits for "
            + "room in the audit buffer before its event is dropped.");
  }

  /** Reads the flags; null when auditing is off. Bad values and bad policy files fail with a clear message. */
  public static AuditOptions from(Flags f) {
    String policyFile = f.string("audit-policy-file");
    String path = f.string("audit-log-path");
    int maxAge = nonNegative(f, "audit-log-maxage");
    int maxBackup = nonNegative(f, "audit-log-maxbackup");
    int maxSize = nonNegative(f, "audit-log-maxsize");
    Format format = switch (f.string("audit-log-format")) {
      case "json" -> Format.JSON;
      case "legacy" -> Format.LEGACY;
      default -> throw new Flags.FlagException("--audit-log-format: invalid audit log format " + f.string(
          "audit-log-format") + ", allowed formats are \"legacy,json\"");
    };
    Mode mode = switch (f.string("audit-log-mode")) {
      case "batch" -> Mode.BATCH;
      case "blocking" -> Mode.BLOCKING;
      case "blocking-strict" -> Mode.BLOCKING_STRICT;
      default -> throw new Flags.FlagException("--audit-log-mode: invalid audit log mode " + f.string(
          "audit-log-mode") + ", allowed modes are \"batch,blocking,blocking-strict\"");
    };
    int buffer = f.integer("audit-log-batch-buffer-size");
    int batch = f.integer("audit-log-batch-max-size");
    if (buffer < 1) {
      throw new Flags.FlagException("--audit-log-batch-buffer-size: invalid audit batch buffer size " + buffer
          + ", must be a positive number");
    }
    if (batch < 1) {
      throw new Flags.FlagException("--audit-log-batch-max-size: invalid audit batch max size " + batch
          + ", must be a positive number");
    }
    if (policyFile.isEmpty() || path.isEmpty()) {
      if (!policyFile.isEmpty() || !path.isEmpty()) {
        LoggerFactory.getLogger(AuditOptions.class).warn("auditing is off: --audit-policy-file and "
            + "--audit-log-path go together, only --{} is set", policyFile.isEmpty() ? "audit-log-path"
            : "audit-policy-file");
      }
      return null;
    }
    AuditPolicy policy;
    try {
      policy = AuditPolicy.load(Path.of(policyFile));
    } catch (IOException e) {
      throw new Flags.FlagException("--audit-policy-file: failed to read " + policyFile + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new Flags.FlagException("--audit-policy-file: " + policyFile + ": " + e.getMessage());
    }
    return new AuditOptions(policy, path, maxSize, maxBackup, maxAge, format, mode, buffer, batch,
        f.duration("audit-log-batch-max-wait"), f.duration("audit-log-blocking-wait"));
  }

  private static int nonNegative(Flags f, String name) {
    int v = f.integer(name);
    if (v < 0) {
      throw new Flags.FlagException("--" + name + " must not be negative, got " + v);
    }
    return v;
  }

  /** The rotation size in bytes (upstream's default of 100 MB for 0). */
  public long maxSizeBytes() {
    return (maxSizeMb == 0 ? 100L : maxSizeMb) * 1024 * 1024;
  }
}
