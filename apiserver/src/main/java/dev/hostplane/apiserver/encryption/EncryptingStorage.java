package dev.hostplane.apiserver.encryption;

import dev.hostplane.apiserver.encryption.internal.ValueTransformer;
import dev.hostplane.apiserver.storage.ListOptions;
import dev.hostplane.apiserver.storage.ListResult;
import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.StoredObject;
import dev.hostplane.apiserver.storage.WatchEvent;
import dev.hostplane.apiserver.storage.WatchListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encryption at rest: a {@link Storage} in front of the backend that encrypts the values of configured resources
 * on the way in and decrypts them on the way out, so the backend holds ciphertext while everything above (the
 * watch cache, the registry) sees plaintext. Keys under a resource's storage root (see {@link #resource}) use
 * that resource's transformer; every other key passes through unchanged.
 *
 * <p>A value that cannot be decrypted fails a get or an update of that key with
 * {@link StorageException.Code#INTERNAL} ("unable to transform key ..."), and is left out of lists and watches
 * (logged), so one bad object does not break lists of the others or the watch cache's start.
 *
 * <p>An update whose new plaintext equals the current one writes nothing, unless the current value was written by
 * another provider or key than the current write key: it is then re-encrypted (key rotation by rewriting).
 *
 * <p>Threading: transformations run on the caller's or the backend's thread; they never block.
 */
public final class EncryptingStorage implements Storage {
  private static final Logger LOG = LoggerFactory.getLogger(EncryptingStorage.class);

  /** Observes every transformation, for upstream's {@code apiserver_storage_transformation_*} metrics. */
  @FunctionalInterface
  public interface Observer {
    /**
     * @param toStorage true for an encryption, false for a decryption
     * @param prefix the stored value's prefix ({@code k8s:enc:aesgcm:v1:key1:}), or {@code identity}
     * @param ok false when the value could not be decrypted
     */
    void transformed(boolean toStorage, String prefix, boolean ok, long nanos);

    Observer NONE = (t, p, ok, n) -> {};
  }

  private final Storage backend;
  private final EncryptionConfig config;
  private final Observer observer;
  /** Storage root (ends with '/') -> transformer. */
  private final Map<String, ValueTransformer> roots = new ConcurrentHashMap<>();

  public EncryptingStorage(Storage backend, EncryptionConfig config, Observer observer) {
    this.backend = backend;
    this.config = config;
    this.observer = observer;
  }

  /**
   * Registers the storage root of a resource (e.g. {@code /registry/secrets/}); keys under it are transformed as
   * the configuration says for {@code group}/{@code resource}. The first registration of a root wins. Call before
   * the root is read or written.
   */
  public void resource(String root, String group, String resource) {
    if (!root.endsWith("/")) {
      throw new IllegalArgumentException("a storage root ends with '/', got " + root);
    }
    roots.putIfAbsent(root, config.transformer(group, resource));
  }

  /** The transformer of {@code key}, or null when the key is under no registered root. */
  private ValueTransformer transformerOf(String key) {
    for (int i = key.lastIndexOf('/', key.length() - 2); i > 0; i = key.lastIndexOf('/', i - 1)) {
      ValueTransformer t = roots.get(key.substring(0, i + 1));
      if (t != null) {
        return t;
      }
    }
    return null;
  }

  private byte[] encrypt(ValueTransformer t, byte[] plain, String key) {
    long start = System.nanoTime();
    byte[] out = t.toStorage(plain, key);
    observer.transformed(true, prefixOf(out), true, System.nanoTime() - start);
    return out;
  }

  /** The {@code k8s:enc:<provider>:v1:<key>:} a stored value starts with, or {@code identity}. */
  static String prefixOf(byte[] stored) {
    int colons = 0;
    if (stored.length < 8 || stored[0] != 'k' || stored[1] != '8' || stored[2] != 's' || stored[3] != ':') {
      return "identity";
    }
    for (int i = 0; i < Math.min(stored.length, 128); i++) {
      if (stored[i] == ':' && ++colons == 5) {
        return new String(stored, 0, i + 1, java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return "identity";
  }

  private ValueTransformer.Plain decrypt(ValueTransformer t, byte[] stored, String key) {
    long start = System.nanoTime();
    try {
      ValueTransformer.Plain p = t.fromStorage(stored, key);
      observer.transformed(false, prefixOf(stored), true, System.nanoTime() - start);
      return p;
    } catch (ValueTransformer.TransformException e) {
      observer.transformed(false, prefixOf(stored), false, System.nanoTime() - start);
      throw new StorageException(StorageException.Code.INTERNAL, key, 0,
          "unable to transform key \"" + key + "\": " + e.getMessage());
    }
  }

  /** {@code stored} with its value decrypted; throws INTERNAL when it cannot be. */
  private StoredObject open(StoredObject stored) {
    if (stored == null) {
      return null;
    }
    ValueTransformer t = transformerOf(stored.key());
    if (t == null) {
      return stored;
    }
    return withValue(stored, decrypt(t, stored.value(), stored.key()).value());
  }

  /** {@code stored} decrypted, or null (logged) when it cannot be. */
  private StoredObject openOrSkip(StoredObject stored) {
    try {
      return open(stored);
    } catch (StorageException e) {
      LOG.error("{}; left out", e.getMessage());
      return null;
    }
  }

  private static StoredObject withValue(StoredObject o, byte[] value) {
    return new StoredObject(o.key(), value, o.createRevision(), o.modRevision());
  }

  @Override
  public CompletionStage<StoredObject> create(String key, byte[] value) {
    ValueTransformer t = transformerOf(key);
    if (t == null) {
      return backend.create(key, value);
    }
    return backend.create(key, encrypt(t, value, key)).thenApply(o -> withValue(o, value));
  }

  @Override
  public CompletionStage<StoredObject> get(String key) {
    return backend.get(key).thenApply(this::open);
  }

  @Override
  public CompletionStage<ListResult> list(String prefix, ListOptions options) {
    return backend.list(prefix, options).thenApply(this::openAll);
  }

  private ListResult openAll(ListResult r) {
    if (r.items().isEmpty()) {
      return r;
    }
    List<StoredObject> items = new ArrayList<>(r.items().size());
    for (StoredObject o : r.items()) {
      StoredObject opened = openOrSkip(o);
      if (opened != null) {
        items.add(opened);
      }
    }
    return new ListResult(items, r.revision(), r.more(), r.remaining());
  }

  @Override
  public CompletionStage<StoredObject> guaranteedUpdate(String key, boolean createIfAbsent, Mutation mutation) {
    ValueTransformer t = transformerOf(key);
    if (t == null) {
      return backend.guaranteedUpdate(key, createIfAbsent, mutation);
    }
    return backend.guaranteedUpdate(key, createIfAbsent, current -> {
      if (current == null) {
        return mutation.apply(null).thenApply(next -> next == null ? null : encrypt(t, next, key));
      }
      ValueTransformer.Plain plain = decrypt(t, current.value(), key);
      return mutation.apply(withValue(current, plain.value())).thenApply(next -> {
        if (next == null) {
          return null;
        }
        // Unchanged and written with the current key: hand back the stored bytes, so nothing is written.
        if (!plain.stale() && Arrays.equals(next, plain.value())) {
          return current.value();
        }
        return encrypt(t, next, key);
      });
    }).thenApply(this::open);
  }

  @Override
  public CompletionStage<StoredObject> delete(String key, Precondition check) {
    ValueTransformer t = transformerOf(key);
    if (t == null) {
      return backend.delete(key, check);
    }
    return backend.delete(key, current -> check.check(open(current))).thenApply(this::openOrSkipDeleted);
  }

  /** The deleted object decrypted; it was decryptable a moment ago (the precondition saw it). */
  private StoredObject openOrSkipDeleted(StoredObject deleted) {
    StoredObject opened = openOrSkip(deleted);
    return opened != null ? opened : deleted;
  }

  @Override
  public Watch watch(String prefix, long fromRevision, WatchListener listener) {
    return backend.watch(prefix, fromRevision, new WatchListener() {
      @Override
      public void onEvent(WatchEvent event) {
        StoredObject object = openOrSkip(event.object());
        if (object == null) {
          return;
        }
        StoredObject previous = event.previous() == null ? null : openOrSkip(event.previous());
        listener.onEvent(new WatchEvent(event.type(), object, previous));
      }

      @Override
      public void onProgress(long revision) {
        listener.onProgress(revision);
      }

      @Override
      public void onError(StorageException error) {
        listener.onError(error);
      }
    });
  }

  @Override
  public long currentRevision() {
    return backend.currentRevision();
  }

  @Override
  public CompletionStage<Long> readCurrentRevision() {
    return backend.readCurrentRevision();
  }

  @Override
  public boolean answersProgressPromptly() {
    return backend.answersProgressPromptly();
  }

  @Override
  public long compactedRevision() {
    return backend.compactedRevision();
  }

  @Override
  public CompletionStage<Void> compact(long revision) {
    return backend.compact(revision);
  }

  @Override
  public void close() {
    backend.close();
  }
}
