package dev.hostplane.apiserver.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.storage.StoredObject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads objects of one type by name for hot internal checks (the namespace of every create), decoding each stored
 * version once: a read whose stored modRevision is unchanged returns the object decoded before. Returned objects
 * are shared and must not be mutated. Absent objects fail exactly as {@link GenericStore#get}. Thread-safe; holds
 * one entry per name read (namespaces are few).
 */
public final class CachedReader {
  private record Entry(long revision, ObjectNode object) {}

  private final GenericStore store;
  private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

  public CachedReader(GenericStore store) {
    this.store = store;
  }

  public CompletionStage<ObjectNode> get(String namespace, String name) {
    String key = store.key(namespace, name);
    // The watch cache answers when it holds the object; an object it does not (yet) hold is read consistently, so
    // a namespace created a moment ago through another replica is found.
    return store.storage().getNotOlderThan(key, 0)
        .handle((so, err) -> err == null ? CompletableFuture.completedFuture(so) : store.storage().get(key))
        .thenCompose(f -> f)
        .handle((StoredObject so, Throwable err) -> {
      if (err != null) {
        cache.remove(key);
        throw store.translate(err, name);
      }
      Entry e = cache.get(key);
      if (e != null && e.revision() == so.modRevision()) {
        return e.object();
      }
      ObjectNode obj = store.decode(so);
      cache.put(key, new Entry(so.modRevision(), obj));
      return obj;
    });
  }
}
