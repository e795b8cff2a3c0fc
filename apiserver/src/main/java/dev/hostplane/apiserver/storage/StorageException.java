package dev.hostplane.apiserver.storage;

/** A storage failure with a code the registry maps to an API error. No stack trace is captured. */
public final class StorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public enum Code {
    /** The key does not exist. */
    KEY_NOT_FOUND,
    /** Create of a key that exists. */
    KEY_EXISTS,
    /** The requested revision has been compacted away (410 Gone / Expired). */
    COMPACTED,
    /** The requested revision is newer than the store's current revision. */
    FUTURE_REVISION,
    /** The backend cannot serve now (down, closed, out of space). */
    UNAVAILABLE,
    /** The backend did not answer in time. */
    TIMEOUT,
    /** The stored data is unreadable. */
    CORRUPT,
    /** One stored value cannot be read (e.g. it cannot be decrypted): 500 InternalError for that object. */
    INTERNAL
  }

  private final Code code;
  private final String key;
  private final long revision;

  public StorageException(Code code, String key, long revision, String message) {
    super(message, null, false, false);
    this.code = code;
    this.key = key;
    this.revision = revision;
  }

  public Code code() {
    return code;
  }

  /** The key concerned, or null. */
  public String key() {
    return key;
  }

  /** The revision concerned (for COMPACTED: the compacted revision; for FUTURE_REVISION: the current one), or 0. */
  public long revision() {
    return revision;
  }
}
