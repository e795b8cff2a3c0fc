package dev.hostplane.apiserver.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.authn.ObjectLookup;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.StoredObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Core/v1 objects by name for authentication's checks (service accounts, secrets, pods, nodes behind tokens): from
 * the watch cache when it holds the object, else read consistently (so an object created a moment ago through
 * another replica is found). Each stored version is decoded once (a bounded cache keyed by storage key and
 * modRevision). Blocks the calling API worker for at most 10 s; absent objects are null.
 */
public final class CurrentObjects implements ObjectLookup {
  private static final int CAPACITY = 4096;
  private record Entry(long revision, ObjectNode object) {}

  private final Registry registry;
  private final Map<String, Entry> decoded = new LinkedHashMap<>(256, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
      return size() > CAPACITY;
    }
  };

  public CurrentObjects(Registry registry) {
    this.registry = registry;
  }

  @Override
  public ObjectNode find(String resource, String namespace, String name) {
    GenericStore store = registry.store("", "v1", resource);
    if (name.isEmpty()) {
      return null;
    }
    String key = store.key(namespace, name);
    CompletableFuture<StoredObject> read = store.storage().getNotOlderThan(key, 0)
        .handle((so, err) -> err == null ? CompletableFuture.completedFuture(so) : store.storage().get(key))
        .thenCompose(f -> f).toCompletableFuture();
    StoredObject so;
    try {
      so = read.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable t = GenericStore.unwrap(e);
      if (t instanceof StorageException se && se.code() == StorageException.Code.KEY_NOT_FOUND) {
        synchronized (decoded) {
          decoded.remove(key);
        }
        return null;
      }
      throw store.translate(t, name);
    } catch (TimeoutException e) {
      throw ApiException.timeout("request did not complete within the allowed duration");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted");
    }
    synchronized (decoded) {
      Entry e = decoded.get(key);
      if (e != null && e.revision() == so.modRevision()) {
        return e.object();
      }
    }
    ObjectNode obj = store.decode(so);
    synchronized (decoded) {
      decoded.put(key, new Entry(so.modRevision(), obj));
    }
    return obj;
  }
}
