package dev.hostplane.apiserver.storage.cache;

import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.WatchEvent;
import dev.hostplane.apiserver.storage.WatchListener;

/**
 * One watch served by a {@link ResourceCache}: the events of its prefix after its start revision. Called only with
 * the cache's lock held, so calls reach the listener one at a time, in order.
 */
final class CacheWatcher implements Storage.Watch {
  /** A watch that already ended (it failed at start). */
  static final Storage.Watch CLOSED = new Storage.Watch() {
    @Override
    public void requestProgress() {}

    @Override
    public void close() {}
  };

  private final ResourceCache cache;
  private final String prefix;
  private final boolean singleKey;
  private final long from;
  private final WatchListener listener;
  private volatile boolean closed;

  CacheWatcher(ResourceCache cache, String prefix, long from, WatchListener listener) {
    this.cache = cache;
    this.prefix = prefix;
    this.singleKey = !prefix.endsWith("/");
    this.from = from;
    this.listener = listener;
  }

  /** Cache lock held. */
  void offer(WatchEvent event) {
    if (closed || event.revision() <= from) {
      return;
    }
    String key = event.object().key();
    if (singleKey ? key.equals(prefix) : key.startsWith(prefix)) {
      listener.onEvent(event);
    }
  }

  /** Cache lock held: every event up to {@code revision} has been offered. */
  void progress(long revision) {
    if (!closed) {
      listener.onProgress(Math.max(revision, from));
    }
  }

  /** Cache lock not necessarily held; the watcher is already out of the cache's list. */
  void fail(StorageException error) {
    if (!closed) {
      closed = true;
      listener.onError(error);
    }
  }

  @Override
  public void requestProgress() {
    if (!closed) {
      cache.progress(this);
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      cache.remove(this);
    }
  }
}
