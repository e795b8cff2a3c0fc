package dev.hostplane.apiserver.storage;

/**
 * Receives a watch's events. Calls for one watch come from one thread at a time, in revision order, with no gaps,
 * and must not block (buffer and return). After {@link #onError} no further calls are made.
 */
public interface WatchListener {
  void onEvent(WatchEvent event);

  /**
   * Every event at or below {@code revision} has been delivered: safe to report as a bookmark. Sent in answer to
   * {@link Storage.Watch#requestProgress()}.
   */
  default void onProgress(long revision) {}

  /** The watch ended abnormally (for example {@link StorageException.Code#COMPACTED}); no more calls follow. */
  void onError(StorageException error);
}
