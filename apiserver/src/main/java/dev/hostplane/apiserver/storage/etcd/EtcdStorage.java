package dev.hostplane.apiserver.storage.etcd;

import dev.hostplane.apiserver.storage.ListOptions;
import dev.hostplane.apiserver.storage.ListResult;
import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.StoredObject;
import dev.hostplane.apiserver.storage.WatchListener;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage SPI on an etcd v3 cluster (jetcd over gRPC). Keys are the SPI's keys, values its bytes, revisions
 * etcd's. Every write is one etcd transaction: create puts only if the key's create revision is 0; a
 * compare-and-swap (guaranteedUpdate, delete) writes only if the key's mod revision is still the one the caller's
 * function saw, and otherwise reads the new value in the same transaction and tries again with it. Reads are
 * linearizable. Watches are etcd watches with the previous values, re-established from their last delivered
 * revision when they break (see {@link EtcdWatch}).
 *
 * <p>Failures: etcd unreachable, no leader, or a closed client is UNAVAILABLE; a request without an answer within
 * {@link Options#requestTimeout()} is TIMEOUT (a write may still have happened). Writes are never retried here: a
 * compare-and-swap whose answer was lost would otherwise apply twice.
 *
 * <p>Threading: all methods return at once; futures complete on the storage's {@code etcd-storage-*} pool, which
 * also runs the mutations and preconditions of guaranteedUpdate and delete. Watch listeners are called on its
 * {@code etcd-watch} thread.
 */
public final class EtcdStorage implements Storage {
  private static final Logger log = LoggerFactory.getLogger(EtcdStorage.class);

  /**
   * How to reach etcd.
   *
   * @param endpoints client URLs of the cluster's members, all {@code http://} or all {@code https://}
   * @param caFile PEM CA bundle to verify etcd's serving certificate (https only; null: the JDK's trust store)
   * @param certFile PEM client certificate presented to etcd (https only; with keyFile)
   * @param keyFile PEM private key of certFile
   * @param requestTimeout the deadline of every request (upstream's etcd client has none of its own; this bounds
   *     how long an API request waits on a hung etcd before answering 504)
   * @param healthTimeout the deadline of the health probe (upstream's --etcd-healthcheck-timeout is 2 s)
   * @param watchReconnectTimeout how long a broken watch keeps trying to re-establish itself before it fails with
   *     UNAVAILABLE (its client then starts a new watch, as after any watch error)
   */
  public record Options(List<URI> endpoints, Path caFile, Path certFile, Path keyFile, Duration requestTimeout,
      Duration healthTimeout, Duration watchReconnectTimeout) {
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_WATCH_RECONNECT_TIMEOUT = Duration.ofSeconds(30);

    public Options {
      endpoints = List.copyOf(endpoints);
      if (endpoints.isEmpty()) {
        throw new IllegalArgumentException("at least one etcd server URL is needed");
      }
      String scheme = endpoints.get(0).getScheme();
      for (URI u : endpoints) {
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null
            || !(u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/"))
            || u.getRawQuery() != null || u.getRawFragment() != null || u.getRawUserInfo() != null) {
          throw new IllegalArgumentException("etcd server URL \"" + u + "\" is not of the form "
              + "http://host:port or https://host:port");
        }
        if (!u.getScheme().equals(scheme)) {
          throw new IllegalArgumentException("etcd server URLs mix http and https: " + endpoints);
        }
      }
      boolean tls = "https".equals(scheme);
      if (!tls && (caFile != null || certFile != null || keyFile != null)) {
        throw new IllegalArgumentException("a CA, client certificate or key file needs https:// etcd server URLs");
      }
      if ((certFile == null) != (keyFile == null)) {
        throw new IllegalArgumentException("the etcd client certificate and key files go together (got "
            + (certFile == null ? "a key file only" : "a certificate file only") + ")");
      }
      for (Duration d : List.of(requestTimeout, healthTimeout, watchReconnectTimeout)) {
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("etcd timeouts must be positive, got " + d);
        }
      }
    }

    /** Plain defaults for {@code urls} (e.g. {@code http://127.0.0.1:2379}). */
    public static Options of(List<String> urls) {
      List<URI> endpoints = new ArrayList<>();
      for (String url : urls) {
        try {
          endpoints.add(new URI(url.trim()));
        } catch (java.net.URISyntaxException e) {
          throw new IllegalArgumentException("etcd server URL \"" + url + "\" is not a URL: " + e.getReason());
        }
      }
      return new Options(endpoints, null, null, null, DEFAULT_REQUEST_TIMEOUT, DEFAULT_HEALTH_TIMEOUT,
          DEFAULT_WATCH_RECONNECT_TIMEOUT);
    }

    public Options withTls(Path caFile, Path certFile, Path keyFile) {
      return new Options(endpoints, caFile, certFile, keyFile, requestTimeout, healthTimeout, watchReconnectTimeout);
    }

    public Options withRequestTimeout(Duration timeout) {
      return new Options(endpoints, caFile, certFile, keyFile, timeout, healthTimeout, watchReconnectTimeout);
    }

    public Options withWatchReconnectTimeout(Duration timeout) {
      return new Options(endpoints, caFile, certFile, keyFile, requestTimeout, healthTimeout, timeout);
    }

    public boolean tls() {
      return "https".equals(endpoints.get(0).getScheme());
    }
  }

  private final EtcdConnection connection;
  private final Set<EtcdWatch> watches = ConcurrentHashMap.newKeySet();

  private EtcdStorage(EtcdConnection connection) {
    this.connection = connection;
  }

  /**
   * Connects to etcd and waits (up to the request timeout) for a first answer, which gives the current revision;
   * learns the compacted revision. Blocking: call at start-up from a plain thread. Fails with UNAVAILABLE when etcd
   * does not answer, with IOException when the TLS files cannot be read.
   */
  public static EtcdStorage connect(Options options) throws IOException {
    Objects.requireNonNull(options, "options");
    SslContext ssl = options.tls() ? EtcdConnection.sslContext(options) : null;
    EtcdConnection connection = new EtcdConnection(options, o -> EtcdConnection.newClient(o, ssl),
        System::nanoTime);
    try {
      long revision = firstAnswer(connection);
      connection.record(null);
      long compacted = await(connection.readCompactedRevision(), options.requestTimeout(), 0L);
      connection.learnCompacted(compacted);
      connection.startMonitor();
      log.info("connected to etcd at {}: revision {}, compacted {}", options.endpoints(), revision, compacted);
      return new EtcdStorage(connection);
    } catch (RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  private static long firstAnswer(EtcdConnection connection) {
    long deadline = System.nanoTime() + connection.options().requestTimeout().toNanos();
    while (true) {
      try {
        return connection.readRevision(connection.options().requestTimeout()).get();
      } catch (ExecutionException e) {
        if (System.nanoTime() > deadline) {
          Throwable cause = EtcdErrors.unwrap(e);
          throw cause instanceof StorageException se
              ? new StorageException(se.code(), null, 0, "cannot reach etcd at " + connection.options().endpoints()
                  + ": " + se.getMessage())
              : new IllegalStateException(cause);
        }
        sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw EtcdErrors.unavailable(null, "interrupted while connecting to etcd");
      }
    }
  }

  @Override
  public CompletionStage<StoredObject> create(String key, byte[] value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    ByteSequence k = Keys.bytes(key);
    return settled(connection.call(key, c -> c.getKVClient().txn()
            .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
            .Then(Op.put(k, ByteSequence.from(value), PutOption.DEFAULT))
            .commit())
        .thenCompose(txn -> {
          if (!txn.isSucceeded()) {
            return CompletableFuture.failedFuture(new StorageException(StorageException.Code.KEY_EXISTS, key, 0,
                key + " already exists"));
          }
          long revision = txn.getHeader().getRevision();
          return CompletableFuture.completedFuture(new StoredObject(key, value, revision, revision));
        }));
  }

  @Override
  public CompletionStage<StoredObject> get(String key) {
    Objects.requireNonNull(key, "key");
    return settled(read(key).thenCompose(current -> current != null
        ? CompletableFuture.completedFuture(current)
        : CompletableFuture.failedFuture(notFound(key))));
  }

  /** The latest value of {@code key}, or null. */
  private CompletableFuture<StoredObject> read(String key) {
    return connection.call(key, c -> c.getKVClient().get(Keys.bytes(key))).thenApply(EtcdStorage::first);
  }

  @Override
  public CompletionStage<ListResult> list(String prefix, ListOptions options) {
    Objects.requireNonNull(options, "options");
    if (prefix == null || !prefix.endsWith("/")) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("a list prefix must end with '/', got " + prefix));
    }
    long revision = options.revision();
    long compacted = connection.compacted();
    if (revision != 0 && revision < compacted) {
      return CompletableFuture.failedFuture(EtcdErrors.compacted(prefix, compacted));
    }
    String start = options.startKey() == null || Keys.compare(options.startKey(), prefix) < 0
        ? prefix : options.startKey();
    GetOption.Builder get = GetOption.builder().withRange(Keys.prefixEnd(prefix)).withLimit(options.limit());
    if (revision != 0) {
      get.withRevision(revision);
    }
    GetOption option = get.build();
    CompletableFuture<GetResponse> response = connection.call(prefix, c -> c.getKVClient().get(Keys.bytes(start),
        option));
    return settled(response.handle((r, error) -> {
      if (error == null) {
        List<StoredObject> items = new ArrayList<>(r.getKvs().size());
        for (KeyValue kv : r.getKvs()) {
          items.add(Keys.stored(kv));
        }
        // etcd counts every key from the start key to the end of the range, not only the page.
        long remaining = r.isMore() ? Math.max(0, r.getCount() - items.size()) : 0;
        long at = revision != 0 ? revision : r.getHeader().getRevision();
        return CompletableFuture.completedFuture(new ListResult(items, at, r.isMore(), remaining));
      }
      return failList(prefix, revision, EtcdErrors.unwrap(error));
    }).thenCompose(f -> f));
  }

  private CompletableFuture<ListResult> failList(String prefix, long revision, Throwable error) {
    if (error instanceof StorageException se && se.code() == StorageException.Code.FUTURE_REVISION) {
      long current = connection.observed();
      return CompletableFuture.failedFuture(new StorageException(StorageException.Code.FUTURE_REVISION, prefix,
          current, "revision " + revision + " is newer than the current revision " + current));
    }
    if (error instanceof StorageException se && se.code() == StorageException.Code.COMPACTED && se.revision() == 0) {
      // etcd does not say which revision it compacted to; learn it, so the caller's 410 can.
      return connection.readCompactedRevision().handle((compacted, e) -> {
        long learned = e == null ? compacted : 0;
        connection.learnCompacted(learned);
        return CompletableFuture.<ListResult>failedFuture(EtcdErrors.compacted(prefix,
            Math.max(learned, connection.compacted())));
      }).thenCompose(f -> f);
    }
    return CompletableFuture.failedFuture(error);
  }

  @Override
  public CompletionStage<StoredObject> guaranteedUpdate(String key, boolean createIfAbsent, Mutation mutation) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(mutation, "mutation");
    CompletableFuture<StoredObject> result = new CompletableFuture<>();
    read(key).whenComplete((current, error) -> {
      if (error != null) {
        result.completeExceptionally(EtcdErrors.unwrap(error));
      } else {
        update(key, createIfAbsent, mutation, current, result);
      }
    });
    return result;
  }

  /**
   * One compare-and-swap attempt from {@code current} (null: absent). Threading: runs on the pool thread that
   * delivered {@code current}; the mutation's stage may complete on any thread, which then sends the transaction.
   */
  private void update(String key, boolean createIfAbsent, Mutation mutation, StoredObject current,
      CompletableFuture<StoredObject> result) {
    if (current == null && !createIfAbsent) {
      result.completeExceptionally(notFound(key));
      return;
    }
    CompletionStage<byte[]> next;
    try {
      next = Objects.requireNonNull(mutation.apply(current), "mutation returned a null stage");
    } catch (Throwable t) {
      result.completeExceptionally(t);
      return;
    }
    next.whenComplete((value, error) -> {
      if (error != null) {
        result.completeExceptionally(EtcdErrors.unwrap(error));
        return;
      }
      if (value == null) {
        result.completeExceptionally(new NullPointerException("mutation of " + key + " returned null"));
        return;
      }
      if (current != null && Arrays.equals(value, current.value())) {
        result.complete(current);
        return;
      }
      ByteSequence k = Keys.bytes(key);
      long seen = current == null ? 0 : current.modRevision(); // a missing key's mod revision compares as 0
      connection.call(key, c -> c.getKVClient().txn()
              .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(seen)))
              .Then(Op.put(k, ByteSequence.from(value), PutOption.DEFAULT))
              .Else(Op.get(k, GetOption.DEFAULT))
              .commit())
          .whenComplete((txn, txnError) -> {
            if (txnError != null) {
              result.completeExceptionally(txnError);
            } else if (txn.isSucceeded()) {
              long revision = txn.getHeader().getRevision();
              result.complete(new StoredObject(key, value, current == null ? revision : current.createRevision(),
                  revision));
            } else {
              update(key, createIfAbsent, mutation, first(txn), result); // changed in between: again, from now
            }
          });
    });
  }

  @Override
  public CompletionStage<StoredObject> delete(String key, Precondition check) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(check, "check");
    CompletableFuture<StoredObject> result = new CompletableFuture<>();
    read(key).whenComplete((current, error) -> {
      if (error != null) {
        result.completeExceptionally(EtcdErrors.unwrap(error));
      } else {
        delete(key, check, current, result);
      }
    });
    return result;
  }

  /** One compare-and-delete attempt; threading as for {@link #update}. */
  private void delete(String key, Precondition check, StoredObject current, CompletableFuture<StoredObject> result) {
    if (current == null) {
      result.completeExceptionally(notFound(key));
      return;
    }
    try {
      check.check(current);
    } catch (Throwable t) {
      result.completeExceptionally(t);
      return;
    }
    ByteSequence k = Keys.bytes(key);
    connection.call(key, c -> c.getKVClient().txn()
            .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(current.modRevision())))
            .Then(Op.delete(k, DeleteOption.builder().withPrevKV(true).build()))
            .Else(Op.get(k, GetOption.DEFAULT))
            .commit())
        .whenComplete((txn, error) -> {
          if (error != null) {
            result.completeExceptionally(error);
          } else if (txn.isSucceeded()) {
            result.complete(new StoredObject(key, current.value(), current.createRevision(),
                txn.getHeader().getRevision()));
          } else {
            delete(key, check, first(txn), result); // changed or deleted in between: check the new state
          }
        });
  }

  @Override
  public Watch watch(String prefix, long fromRevision, WatchListener listener) {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(listener, "listener");
    if (fromRevision < 0) {
      throw new IllegalArgumentException("fromRevision must be >= 0, got " + fromRevision);
    }
    // "From now" is the newest revision this client has seen, pinned on the caller's thread: a write that starts
    // after this call is always delivered (a fresh read could land after such a write and skip it).
    long from = fromRevision == 0 ? connection.observed() : fromRevision;
    EtcdWatch[] self = new EtcdWatch[1];
    EtcdWatch watch = new EtcdWatch(connection, prefix, from, listener, () -> watches.remove(self[0]));
    self[0] = watch;
    long compacted = connection.compacted();
    if (connection.closed()) {
      watch.fail(EtcdErrors.unavailable(prefix, "storage is closed"));
    } else if (from < compacted) {
      watch.fail(EtcdErrors.compacted(prefix, compacted));
    } else {
      watches.add(watch);
      watch.start();
    }
    return watch;
  }

  /** The highest revision this client has seen (responses, watch events, the once-a-second probe); no I/O. */
  @Override
  public long currentRevision() {
    return connection.observed();
  }

  /** etcd's current revision, read with a linearizable round trip. */
  @Override
  public CompletionStage<Long> readCurrentRevision() {
    return settled(connection.readRevision(connection.options().requestTimeout()));
  }

  /** The newest compaction this client did or learned of (etcd reports it only on refusals). */
  /**
   * False: a progress request is answered at etcd's next timed progress notification
   * ({@code --experimental-watch-progress-notify-interval}, 10 minutes unless set), see {@link EtcdWatch}.
   */
  @Override
  public boolean answersProgressPromptly() {
    return false;
  }

  @Override
  public long compactedRevision() {
    return connection.compacted();
  }

  /**
   * Compacts etcd's history to {@code revision} (logically; etcd reclaims space in the background). A revision
   * already compacted is not an error; one beyond the current revision fails with FUTURE_REVISION.
   */
  @Override
  public CompletionStage<Void> compact(long revision) {
    if (revision < 0) {
      throw new IllegalArgumentException("revision must be >= 0, got " + revision);
    }
    if (revision <= connection.compacted()) {
      return CompletableFuture.completedFuture(null);
    }
    return settled(connection.call(null, c -> c.getKVClient().compact(revision)).handle((r, error) -> {
      Throwable e = error == null ? null : EtcdErrors.unwrap(error);
      if (e == null || e instanceof StorageException se && se.code() == StorageException.Code.COMPACTED) {
        connection.learnCompacted(revision);
        return CompletableFuture.<Void>completedFuture(null);
      }
      return CompletableFuture.<Void>failedFuture(e);
    }).thenCompose(f -> f));
  }

  /**
   * For the {@code etcd} health check: null when etcd answered the latest probe (at most about a second old, each
   * bounded by {@link Options#healthTimeout()}), else why not. Never blocks.
   */
  public String health() {
    return connection.health();
  }

  /** Ends every watch with UNAVAILABLE, then closes the client; later calls fail with UNAVAILABLE. */
  @Override
  public void close() {
    if (connection.closed()) {
      return;
    }
    for (EtcdWatch w : List.copyOf(watches)) {
      w.fail(EtcdErrors.unavailable(null, "storage is closed"));
    }
    connection.close();
  }

  /** {@code stage}'s outcome, its failure without the CompletionException that chained stages wrap it in. */
  private static <T> CompletableFuture<T> settled(CompletableFuture<T> stage) {
    CompletableFuture<T> result = new CompletableFuture<>();
    stage.whenComplete((value, error) -> {
      if (error != null) {
        result.completeExceptionally(EtcdErrors.unwrap(error));
      } else {
        result.complete(value);
      }
    });
    return result;
  }

  private static StoredObject first(GetResponse r) {
    return r.getKvs().isEmpty() ? null : Keys.stored(r.getKvs().get(0));
  }

  private static StoredObject first(TxnResponse txn) {
    return first(txn.getGetResponses().get(0));
  }

  private static StorageException notFound(String key) {
    return new StorageException(StorageException.Code.KEY_NOT_FOUND, key, 0, key + " not found");
  }

  private static <T> T await(CompletableFuture<T> future, Duration timeout, T fallback) {
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      log.warn("could not learn etcd's compacted revision: {}", e.toString());
      return fallback;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fallback;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw EtcdErrors.unavailable(null, "interrupted while connecting to etcd");
    }
  }
}
