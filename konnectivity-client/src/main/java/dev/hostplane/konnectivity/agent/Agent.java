package dev.hostplane.konnectivity.agent;

import dev.hostplane.konnectivity.agent.internal.AgentMetrics;
import dev.hostplane.konnectivity.agent.internal.ServerLink;
import dev.hostplane.konnectivity.wire.KonnectivityMethods;
import dev.hostplane.konnectivity.wire.Packet;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Konnectivity agent: holds {@code AgentService/Connect} streams to proxy-servers and dials destinations on
 * their behalf. It keeps connecting (jittered exponential backoff between failures) until it holds one stream per
 * distinct {@code serverID}, as many as the servers' {@code serverCount}. Thread-safe.
 */
public final class Agent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  private static final Metadata.Key<String> AGENT_ID = Metadata.Key.of("agentID", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> AGENT_IDENTIFIERS =
      Metadata.Key.of("agentIdentifiers", Metadata.ASCII_STRING_MARSHALLER);

  private final AgentOptions options;
  private final SslContext tls;
  private final EventLoopGroup group = new NioEventLoopGroup(2);
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "konnectivity-agent-sync");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong connectIds = new AtomicLong();
  private final AgentMetrics metrics = new AgentMetrics();
  private final List<ServerLink> links = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  // Guarded by lock.
  private ServerLink attempt;
  private int failures;
  private int serverCount = 1;
  private boolean draining;
  private boolean closed;

  private Agent(AgentOptions options) throws IOException {
    this.options = options;
    SslContextBuilder b = GrpcSslContexts.forClient().trustManager(options.caCert().toFile());
    if (options.agentCert() != null) {
      b.keyManager(options.agentCert().toFile(), options.agentKey().toFile());
    }
    this.tls = b.build();
    metrics.bind(links::size, this::openConnections);
  }

  /** Starts connecting in the background; returns at once. */
  public static Agent start(AgentOptions options) throws IOException {
    Agent a = new Agent(options);
    a.timer.execute(a::sync);
    return a;
  }

  public AgentOptions options() {
    return options;
  }

  /** Dial latency and failures, open connections; {@link AgentMetrics#render()} is the {@code /metrics} body. */
  public AgentMetrics metrics() {
    return metrics;
  }

  /** The serverIDs of the streams held now. */
  public Set<String> serverIds() {
    return links.stream().map(ServerLink::serverId).collect(Collectors.toSet());
  }

  /** Open destination connections over every server stream. */
  public int openConnections() {
    return links.stream().mapToInt(ServerLink::openEndpoints).sum();
  }

  /**
   * Sends DRAIN on every server stream and opens no new ones; open connections go on until they end. Servers
   * send new dials to other agents where they have any.
   */
  public void drain() {
    synchronized (lock) {
      draining = true;
    }
    links.forEach(l -> l.send(Packet.drain()));
  }

  /** Waits until no destination connection is open, at most {@code timeout}; true if none is. */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (openConnections() > 0) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }

  /** One step of the connection loop, on the timer thread: open a stream if fewer than serverCount are held. */
  private void sync() {
    ManagedChannel channel;
    ServerLink link;
    synchronized (lock) {
      if (closed || draining || attempt != null || links.size() >= serverCount) {
        return;
      }
    }
    String token = null;
    if (options.serviceAccountTokenPath() != null) {
      try {
        token = Files.readString(options.serviceAccountTokenPath(), StandardCharsets.UTF_8).trim();
      } catch (IOException e) {
        log.warn("cannot read --service-account-token-path {}: {}", options.serviceAccountTokenPath(),
            e.toString());
      }
      if (token == null || token.isEmpty()) {
        Duration delay;
        synchronized (lock) {
          failures++;
          delay = backoff(failures);
        }
        schedule(delay);
        return;
      }
    }
    synchronized (lock) {
      if (closed || draining || attempt != null || links.size() >= serverCount) {
        return;
      }
      NettyChannelBuilder b = NettyChannelBuilder.forAddress(options.proxyServerHost(), options.proxyServerPort())
          .sslContext(tls)
          .eventLoopGroup(group)
          .channelType(io.netty.channel.socket.nio.NioSocketChannel.class)
          .directExecutor();
      if (!options.keepaliveTime().isZero()) {
        b.keepAliveTime(options.keepaliveTime().toNanos(), TimeUnit.NANOSECONDS)
            .keepAliveTimeout(20, TimeUnit.SECONDS)
            .keepAliveWithoutCalls(true);
      }
      channel = b.build();
      ClientCall<Packet, Packet> call = channel.newCall(KonnectivityMethods.CONNECT, CallOptions.DEFAULT);
      link = new ServerLink(channel, call, group, connectIds, options.dialTimeout(), new LinkEvents(), metrics);
      attempt = link;
    }
    Metadata headers = new Metadata();
    headers.put(AGENT_ID, options.agentId());
    if (!options.agentIdentifiers().isEmpty()) {
      headers.put(AGENT_IDENTIFIERS, options.agentIdentifiers());
    }
    if (token != null) {
      headers.put(AUTHORIZATION, "Bearer " + token);
    }
    link.start(headers);
  }

  private void schedule(Duration delay) {
    try {
      timer.schedule(this::sync, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closed.
    }
  }

  /** The next retry delay: syncInterval doubled per consecutive failure, capped, jittered by +-25%. */
  private Duration backoff(int failures) {
    long base = options.syncInterval().toMillis();
    long cap = Math.max(base, options.syncIntervalCap().toMillis());
    long d = Math.min(cap, base << Math.min(failures, 20));
    double jitter = 0.75 + ThreadLocalRandom.current().nextDouble() * 0.5;
    return Duration.ofMillis((long) (d * jitter));
  }

  private final class LinkEvents implements ServerLink.Events {
    @Override
    public void established(ServerLink link) {
      boolean duplicate;
      synchronized (lock) {
        attempt = null;
        failures = 0;
        serverCount = link.serverCount();
        duplicate = closed || links.stream().anyMatch(l -> l.serverId().equals(link.serverId()));
        if (!duplicate) {
          links.add(link);
        }
      }
      if (duplicate) {
        // Landed on a server we already hold (load balancer): try again later.
        link.cancel("duplicate serverID " + link.serverId());
        schedule(options.syncInterval());
        return;
      }
      log.info("connected to proxy-server {} ({} of {})", link.serverId(), links.size(), link.serverCount());
      if (draining()) {
        link.send(Packet.drain());
      }
      schedule(Duration.ZERO);
    }

    @Override
    public void closed(ServerLink link, Status status) {
      Duration delay;
      synchronized (lock) {
        boolean wasAttempt = attempt == link;
        if (wasAttempt) {
          attempt = null;
          failures++;
        }
        boolean held = links.remove(link);
        if (closed || (!wasAttempt && !held)) {
          return;
        }
        delay = backoff(wasAttempt ? failures : 0);
      }
      log.info("stream to proxy-server {} closed: {}; retrying in {} ms", link.serverId(), status,
          delay.toMillis());
      schedule(delay);
    }
  }

  private boolean draining() {
    synchronized (lock) {
      return draining;
    }
  }

  /** Drops every stream and destination connection at once. */
  @Override
  public void close() {
    ServerLink pending;
    synchronized (lock) {
      closed = true;
      pending = attempt;
    }
    timer.shutdownNow();
    if (pending != null) {
      pending.cancel("agent closed");
    }
    links.forEach(l -> l.cancel("agent closed"));
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
