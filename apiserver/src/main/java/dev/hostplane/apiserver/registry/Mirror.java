package dev.hostplane.apiserver.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.storage.ListOptions;
import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.StoredObject;
import dev.hostplane.apiserver.storage.WatchEvent;
import dev.hostplane.apiserver.storage.WatchListener;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory copy of every object of one type, as upstream's informers keep: lists the type's storage root, then
 * watches it from the list's revision; a broken watch lists again (the difference is reported as changes). Each
 * object is parsed once, by {@code parse}, into the form its users need.
 *
 * <p>Threading: {@link Listener#changed} is called on a storage thread (the list's completion, or the watch's
 * dispatcher), one call at a time, and must not block. {@link #get} and {@link #values} may be called from any thread.
 *
 * @param <T> the parsed form of an object
 */
public final class Mirror<T> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Mirror.class);

  /** Receives each change: {@code before} null for a new object, {@code after} null for a deleted one. */
  @FunctionalInterface
  public interface Listener<T> {
    void changed(String key, T before, T after);
  }

  private final GenericStore store;
  private final Function<ObjectNode, T> parse;
  private final Listener<T> listener;
  private final String prefix;
  private final ConcurrentHashMap<String, T> objects = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> synced = new CompletableFuture<>();
  private final Object lock = new Object();
  private Storage.Watch watch;
  private long generation;
  private boolean closed;

  public Mirror(GenericStore store, Function<ObjectNode, T> parse, Listener<T> listener) {
    this.store = store;
    this.parse = parse;
    this.listener = listener;
    this.prefix = store.listPrefix(null);
  }

  /** Starts following; the stage completes once the first list is in. */
  public CompletionStage<Void> start() {
    resync();
    return synced;
  }

  /** True once the first list is in. */
  public boolean synced() {
    return synced.isDone();
  }

  /** The parsed object under {@code namespace}/{@code name}, or null. */
  public T get(String namespace, String name) {
    return objects.get(store.key(namespace, name));
  }

  /** A live view of every object (weakly consistent while changes arrive). */
  public Iterable<T> values() {
    return objects.values();
  }

  private void resync() {
    synchronized (lock) {
      if (closed) {
        return;
      }
    }
    store.storage().list(prefix, ListOptions.DEFAULT).whenComplete((result, err) -> {
      if (err != null) {
        LOG.warn("{}: list failed ({}); retrying", prefix, err.toString());
        CompletableFuture.delayedExecutor(1, java.util.concurrent.TimeUnit.SECONDS).execute(this::resync);
        return;
      }
      synchronized (lock) {
        if (closed) {
          return;
        }
        if (watch != null) {
          watch.close();
        }
        Set<String> listed = new HashSet<>();
        Map<String, T> fresh = new HashMap<>();
        for (StoredObject so : result.items()) {
          listed.add(so.key());
          fresh.put(so.key(), parseOrNull(so));
        }
        for (String key : Set.copyOf(objects.keySet())) {
          if (!listed.contains(key)) {
            apply(key, null);
          }
        }
        fresh.forEach(this::apply);
        long gen = ++generation;
        watch = store.storage().watch(prefix, result.revision(), new Follower(gen));
      }
      synced.complete(null);
    });
  }

  private T parseOrNull(StoredObject so) {
    try {
      return parse.apply(store.decode(so));
    } catch (RuntimeException e) {
      LOG.warn("{}: cannot read {} ({})", prefix, so.key(), e.toString());
      return null;
    }
  }

  /** Under lock: records and reports one change. */
  private void apply(String key, T after) {
    T before = after == null ? objects.remove(key) : objects.put(key, after);
    if (before == null && after == null) {
      return;
    }
    try {
      listener.changed(key, before, after);
    } catch (RuntimeException e) {
      LOG.warn("{}: listener failed on {}", prefix, key, e);
    }
  }

  private final class Follower implements WatchListener {
    private final long gen;

    Follower(long gen) {
      this.gen = gen;
    }

    @Override
    public void onEvent(WatchEvent event) {
      synchronized (lock) {
        if (gen != generation || closed) {
          return;
        }
        String key = event.object().key();
        apply(key, event.type() == WatchEvent.Type.DELETED ? null : parseOrNull(event.object()));
      }
    }

    @Override
    public void onError(StorageException error) {
      synchronized (lock) {
        if (gen != generation || closed) {
          return;
        }
      }
      LOG.info("{}: watch ended ({}); listing again", prefix, error.getMessage());
      if (error.code() == StorageException.Code.UNAVAILABLE) {
        // Storage unreachable (or closing: close() stops the retries).
        CompletableFuture.delayedExecutor(1, java.util.concurrent.TimeUnit.SECONDS).execute(Mirror.this::resync);
      } else {
        resync();
      }
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (watch != null) {
        watch.close();
      }
    }
  }
}
