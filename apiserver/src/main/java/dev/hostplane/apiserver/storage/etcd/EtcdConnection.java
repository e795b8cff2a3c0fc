package dev.hostplane.apiserver.storage.etcd;

import dev.hostplane.apiserver.pki.Pem;
import dev.hostplane.apiserver.storage.StorageException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.Response;
import io.etcd.jetcd.options.GetOption;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jetcd client behind an {@link EtcdStorage} and the threads around it: every request goes through
 * {@link #call}, which bounds it by a deadline, maps its failure and completes it on the storage's own pool (never
 * on a gRPC or Vert.x event loop). A monitor probes etcd every second: the probe feeds {@link #health()} and the
 * observed revision, and when etcd answers TCP again after an outage it replaces the client, whose gRPC channel
 * would otherwise wait out its reconnect backoff (up to two minutes).
 *
 * <p>Threading: {@link #pool()} runs request continuations ({@code etcd-storage-*}); {@link #watchThread()} calls
 * watch listeners, one thread for all watches ({@code etcd-watch}); {@link #timer()} runs deadlines, the monitor
 * and watch re-establishment ({@code etcd-timer}), and never blocks.
 */
final class EtcdConnection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EtcdConnection.class);
  private static final ByteSequence HEALTH_KEY = ByteSequence.from("health", StandardCharsets.UTF_8);
  static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
  /** After failing this long while etcd accepts TCP again, the client is replaced (at most this often). */
  static final Duration RENEW_AFTER = Duration.ofSeconds(2);

  private final EtcdStorage.Options options;
  private final Function<EtcdStorage.Options, Client> clients;
  private final LongSupplier nanoClock;
  private final ExecutorService pool;
  private final ExecutorService watchThread;
  private final ScheduledExecutorService timer;
  private final AtomicLong observed = new AtomicLong();
  private final AtomicLong compacted = new AtomicLong();
  private volatile Client client;
  private volatile boolean closed;

  // Monitor state, guarded by this:
  private String healthReason = "etcd has not been probed yet";
  private long healthAt;
  private long failingSince;
  private long renewedAt;
  private boolean renewing;
  private ScheduledFuture<?> nextProbe;

  EtcdConnection(EtcdStorage.Options options, Function<EtcdStorage.Options, Client> clients, LongSupplier nanoClock) {
    this.options = options;
    this.clients = clients;
    this.nanoClock = nanoClock;
    this.pool = Executors.newFixedThreadPool(Math.max(4, Runtime.getRuntime().availableProcessors() * 2),
        daemon("etcd-storage-"));
    this.watchThread = Executors.newSingleThreadExecutor(daemon("etcd-watch"));
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("etcd-timer"));
    this.client = clients.apply(options);
    this.healthAt = nanoClock.getAsLong();
  }

  /** A jetcd client for {@code options}; TLS with {@code ssl} when not null. */
  static Client newClient(EtcdStorage.Options options, SslContext ssl) {
    ClientBuilder b = Client.builder()
        .endpoints(options.endpoints().toArray(URI[]::new))
        .waitForReady(false) // fail at once while etcd is unreachable, instead of queueing
        .retryMaxAttempts(0) // no silent retries: see EtcdStorage
        .connectTimeout(Duration.ofSeconds(5))
        .keepaliveTime(Duration.ofSeconds(30))
        .keepaliveTimeout(Duration.ofSeconds(10))
        .maxInboundMessageSize(Integer.MAX_VALUE); // large lists, as upstream
    if (ssl != null) {
      b.sslContext(ssl);
    }
    return b.build();
  }

  /** The TLS context of https endpoints: the CA to trust (else the JDK's) and the client certificate. */
  static SslContext sslContext(EtcdStorage.Options options) throws IOException {
    SslContextBuilder b = GrpcSslContexts.forClient();
    if (options.caFile() != null) {
      b.trustManager(Pem.readCertificates(options.caFile()).toArray(X509Certificate[]::new));
    }
    if (options.certFile() != null) {
      b.keyManager(Pem.readPrivateKey(options.keyFile()),
          Pem.readCertificates(options.certFile()).toArray(X509Certificate[]::new));
    }
    return b.build();
  }

  Client client() {
    return client;
  }

  ExecutorService pool() {
    return pool;
  }

  ExecutorService watchThread() {
    return watchThread;
  }

  ScheduledExecutorService timer() {
    return timer;
  }

  EtcdStorage.Options options() {
    return options;
  }

  boolean closed() {
    return closed;
  }

  /** The highest revision any response has shown this client. */
  long observed() {
    return observed.get();
  }

  void observe(long revision) {
    observed.accumulateAndGet(revision, Math::max);
  }

  long compacted() {
    return compacted.get();
  }

  void learnCompacted(long revision) {
    compacted.accumulateAndGet(revision, Math::max);
  }

  /**
   * Runs one request on the current client with the request deadline. The result completes on {@link #pool()}
   * with the response (its header revision observed), or with the failure mapped by {@link EtcdErrors} for
   * {@code key}: TIMEOUT when the deadline passes first (the request may still take effect).
   */
  <T> CompletableFuture<T> call(String key, Function<Client, CompletableFuture<T>> request) {
    return call(key, options.requestTimeout(), request);
  }

  <T> CompletableFuture<T> call(String key, Duration timeout, Function<Client, CompletableFuture<T>> request) {
    CompletableFuture<T> result = new CompletableFuture<>();
    if (closed) {
      result.completeExceptionally(EtcdErrors.unavailable(key, "storage is closed"));
      return result;
    }
    CompletableFuture<T> inner;
    try {
      inner = request.apply(client);
    } catch (RuntimeException e) {
      result.completeExceptionally(EtcdErrors.toStorage(e, key));
      return result;
    }
    ScheduledFuture<?> deadline;
    try {
      // Thread hop: the deadline fires on the timer, the completion runs on the pool.
      deadline = timer.schedule(() -> {
        complete(result, null, EtcdErrors.toStorage(new TimeoutException(), key));
        inner.cancel(false);
      }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      inner.cancel(false);
      result.completeExceptionally(EtcdErrors.unavailable(key, "storage is closed"));
      return result;
    }
    inner.whenComplete((value, error) -> {
      deadline.cancel(false);
      if (value instanceof Response r && r.getHeader() != null) {
        observe(r.getHeader().getRevision());
      }
      complete(result, value, error == null ? null : EtcdErrors.toStorage(error, key));
    });
    return result;
  }

  /** Completes {@code result} on the pool; inline with UNAVAILABLE when the pool is gone (closing). */
  private <T> void complete(CompletableFuture<T> result, T value, Throwable error) {
    try {
      pool.execute(() -> {
        if (error != null) {
          result.completeExceptionally(error);
        } else {
          result.complete(value);
        }
      });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(EtcdErrors.unavailable(null, "storage is closed"));
    }
  }

  /** A linearizable read of etcd's current revision (a count-only range of one key). */
  CompletableFuture<Long> readRevision(Duration timeout) {
    return call(null, timeout, c -> c.getKVClient().get(HEALTH_KEY, GetOption.builder().withCountOnly(true).build()))
        .thenApply(r -> r.getHeader().getRevision());
  }

  /**
   * etcd's compacted revision, which no API reports directly: a read at revision r is refused as compacted exactly
   * when r is below it, so a binary search over [1, current] finds it in about log2(current) count-only reads. 0 when
   * nothing below revision 2 is gone.
   */
  CompletableFuture<Long> readCompactedRevision() {
    return readRevision(options.requestTimeout()).thenCompose(current -> {
      CompletableFuture<Long> result = new CompletableFuture<>();
      searchCompacted(1, current, result);
      return result;
    }).thenApply(lowestReadable -> {
      long compactedTo = lowestReadable > 1 ? lowestReadable : 0;
      learnCompacted(compactedTo);
      return compactedTo;
    });
  }

  /** Narrows [lo, hi], where hi is readable, to the lowest readable revision. */
  private void searchCompacted(long lo, long hi, CompletableFuture<Long> result) {
    if (lo >= hi) {
      result.complete(hi);
      return;
    }
    long mid = lo + (hi - lo) / 2;
    call(null, c -> c.getKVClient().get(HEALTH_KEY, GetOption.builder().withCountOnly(true).withRevision(mid).build()))
        .whenComplete((r, error) -> {
          if (error == null) {
            searchCompacted(lo, mid, result);
          } else if (EtcdErrors.unwrap(error) instanceof StorageException se
              && se.code() == StorageException.Code.COMPACTED) {
            searchCompacted(mid + 1, hi, result);
          } else {
            result.completeExceptionally(EtcdErrors.unwrap(error));
          }
        });
  }

  /** Starts the monitor: one probe now, then one a second. */
  void startMonitor() {
    schedule(Duration.ZERO);
  }

  private synchronized void schedule(Duration delay) {
    if (!closed) {
      try {
        nextProbe = timer.schedule(this::probe, delay.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        // closing
      }
    }
  }

  private void probe() {
    readRevision(options.healthTimeout()).whenComplete((revision, error) -> {
      if (record(error)) {
        renewIfReachable(); // on this pool thread: it may block on TCP connects, briefly
      }
      schedule(PROBE_INTERVAL);
    });
  }

  /** Records a probe's outcome; true when the client should be replaced if etcd is reachable. */
  synchronized boolean record(Throwable error) {
    long now = nanoClock.getAsLong();
    healthAt = now;
    if (error == null) {
      healthReason = null;
      failingSince = 0;
      return false;
    }
    Throwable cause = EtcdErrors.unwrap(error);
    healthReason = "etcd: " + cause.getMessage();
    if (failingSince == 0) {
      failingSince = now;
    }
    // Only a transport failure suggests a channel waiting out its backoff: a slow etcd (TIMEOUT) or etcd's own
    // refusals ("etcdserver: no leader") come over a working connection, which replacing would only disturb.
    boolean transport = cause instanceof StorageException se && se.code() == StorageException.Code.UNAVAILABLE
        && !String.valueOf(se.getMessage()).contains("etcdserver:");
    boolean renew = transport && !renewing && now - failingSince >= RENEW_AFTER.toNanos()
        && now - renewedAt >= RENEW_AFTER.toNanos();
    renewing |= renew;
    return renew;
  }

  /**
   * Replaces the client when some endpoint accepts a TCP connection: the old channel is likely waiting out its
   * reconnect backoff. Requests in flight on the old client fail with UNAVAILABLE; watches re-establish on the new.
   */
  private void renewIfReachable() {
    try {
      if (!anyEndpointAccepts()) {
        return;
      }
      Client old;
      synchronized (this) {
        if (closed) {
          return;
        }
        renewedAt = nanoClock.getAsLong();
        old = client;
        client = clients.apply(options);
      }
      log.info("etcd answers again at {}; reconnecting", options.endpoints());
      old.close();
    } catch (RuntimeException e) {
      log.warn("replacing the etcd client failed", e);
    } finally {
      synchronized (this) {
        renewing = false;
      }
    }
  }

  private boolean anyEndpointAccepts() {
    for (URI endpoint : options.endpoints()) {
      int port = endpoint.getPort() != -1 ? endpoint.getPort() : 2379;
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(endpoint.getHost(), port), 300);
        return true;
      } catch (IOException e) {
        // try the next
      }
    }
    return false;
  }

  /**
   * Null when the latest probe (at most about a second old) succeeded; else why not. Never blocks: a monitor that
   * has not finished a probe for a while reports that instead.
   */
  synchronized String health() {
    if (closed) {
      return "storage is closed";
    }
    long age = nanoClock.getAsLong() - healthAt;
    long limit = PROBE_INTERVAL.plus(options.healthTimeout()).plus(PROBE_INTERVAL).toNanos();
    if (age > limit) {
      return "no etcd health result for " + TimeUnit.NANOSECONDS.toMillis(age) + " ms";
    }
    return healthReason;
  }

  /** Stops the monitor and the client; watch deliveries already queued still run (bounded wait). */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (nextProbe != null) {
        nextProbe.cancel(false);
      }
    }
    try {
      client.close();
    } catch (RuntimeException e) {
      log.warn("closing the etcd client", e);
    }
    timer.shutdownNow();
    pool.shutdown();
    watchThread.shutdown();
    String current = Thread.currentThread().getName();
    if (!current.startsWith("etcd-")) {
      try {
        pool.awaitTermination(5, TimeUnit.SECONDS);
        watchThread.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix.endsWith("-") ? prefix + n.incrementAndGet() : prefix);
      t.setDaemon(true);
      return t;
    };
  }
}
