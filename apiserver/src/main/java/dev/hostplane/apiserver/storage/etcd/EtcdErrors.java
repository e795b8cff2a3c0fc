package dev.hostplane.apiserver.storage.etcd;

import dev.hostplane.apiserver.storage.StorageException;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Maps what jetcd, gRPC and etcd report onto {@link StorageException} codes. etcd's own errors arrive as gRPC
 * statuses whose description is etcd's message ({@code etcdserver: mvcc: required revision has been compacted}).
 */
final class EtcdErrors {
  static final String COMPACTED = "required revision has been compacted";
  static final String FUTURE = "required revision is a future revision";
  static final String TOO_LARGE = "request is too large";

  private EtcdErrors() {}

  /** Strips the wrappers futures add. */
  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * The failure to report for a failed etcd request on {@code key} (null for none): a {@link StorageException}, or an
   * IllegalArgumentException for a value etcd refuses as too large (as the embedded store refuses one). Only for
   * failures of requests: a caller's own exception (a mutation's, a precondition's) is never passed through here.
   */
  static Throwable toStorage(Throwable failure, String key) {
    Throwable t = unwrap(failure);
    if (t instanceof StorageException) {
      return t;
    }
    if (t instanceof CompactedException c) {
      return compacted(key, c.getCompactedRevision());
    }
    if (t instanceof TimeoutException) {
      return new StorageException(StorageException.Code.TIMEOUT, key, 0, "etcd did not answer in time");
    }
    if (t instanceof CancellationException || t instanceof RejectedExecutionException) {
      return unavailable(key, "etcd request cancelled (client closing)");
    }
    if (t instanceof IOException) {
      return unavailable(key, "etcd unreachable: " + t.getMessage());
    }
    Status.Code code;
    String description;
    if (t instanceof EtcdException e) {
      code = e.getErrorCode() == null ? Status.Code.UNKNOWN : status(e.getErrorCode());
      description = e.getMessage();
    } else if (t instanceof io.grpc.StatusRuntimeException || t instanceof io.grpc.StatusException) {
      Status s = Status.fromThrowable(t);
      code = s.getCode();
      description = s.getDescription();
    } else if (t.getCause() != null && t.getCause() != t) {
      return toStorage(t.getCause(), key);
    } else {
      return unavailable(key, "etcd request failed: " + t);
    }
    String message = description == null ? code.toString() : description;
    if (message.contains(COMPACTED)) {
      return compacted(key, 0);
    }
    if (message.contains(FUTURE)) {
      return new StorageException(StorageException.Code.FUTURE_REVISION, key, 0, "etcd: " + message);
    }
    if (message.contains(TOO_LARGE)) {
      return new IllegalArgumentException("etcd refused the value: " + message);
    }
    return switch (code) {
      case DEADLINE_EXCEEDED -> new StorageException(StorageException.Code.TIMEOUT, key, 0, "etcd: " + message);
      // RESOURCE_EXHAUSTED is etcd's NOSPACE alarm ("database space exceeded"): writes stop until an operator acts.
      default -> unavailable(key, "etcd: " + message);
    };
  }

  /** True for failures a watch may recover from by re-establishing itself. */
  static boolean retryable(StorageException e) {
    return e.code() == StorageException.Code.UNAVAILABLE || e.code() == StorageException.Code.TIMEOUT;
  }

  static StorageException compacted(String key, long compactedRevision) {
    return new StorageException(StorageException.Code.COMPACTED, key, compactedRevision,
        "the requested revision has been compacted" + (compactedRevision > 0
            ? " (compacted revision " + compactedRevision + ")" : ""));
  }

  static StorageException unavailable(String key, String message) {
    return new StorageException(StorageException.Code.UNAVAILABLE, key, 0, message);
  }

  private static Status.Code status(ErrorCode code) {
    return switch (code) {
      case CANCELLED -> Status.Code.CANCELLED;
      case INVALID_ARGUMENT -> Status.Code.INVALID_ARGUMENT;
      case DEADLINE_EXCEEDED -> Status.Code.DEADLINE_EXCEEDED;
      case NOT_FOUND -> Status.Code.NOT_FOUND;
      case ALREADY_EXISTS -> Status.Code.ALREADY_EXISTS;
      case PERMISSION_DENIED -> Status.Code.PERMISSION_DENIED;
      case UNAUTHENTICATED -> Status.Code.UNAUTHENTICATED;
      case RESOURCE_EXHAUSTED -> Status.Code.RESOURCE_EXHAUSTED;
      case FAILED_PRECONDITION -> Status.Code.FAILED_PRECONDITION;
      case ABORTED -> Status.Code.ABORTED;
      case OUT_OF_RANGE -> Status.Code.OUT_OF_RANGE;
      case UNIMPLEMENTED -> Status.Code.UNIMPLEMENTED;
      case INTERNAL -> Status.Code.INTERNAL;
      case UNAVAILABLE -> Status.Code.UNAVAILABLE;
      case DATA_LOSS -> Status.Code.DATA_LOSS;
      default -> Status.Code.UNKNOWN;
    };
  }
}
