package dev.hostplane.apiserver.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.konnectivity.Dialer;
import dev.hostplane.konnectivity.DialerOptions;
import dev.hostplane.konnectivity.TunnelException;
import dev.hostplane.konnectivity.client.EgressSelector;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * Connections to kubelets, pods and service endpoints, dialled through the {@code cluster} egress selection (the
 * Konnectivity tunnel, or directly). Kubelets are reached over TLS with the {@code --kubelet-client-certificate},
 * verified with {@code --kubelet-certificate-authority} against the address dialled (not verified without it, as
 * upstream).
 *
 * <p>Threading: every method may be called from any thread and never blocks. Failures are {@link ApiException}s:
 * 503 ServiceUnavailable {@code error dialing backend: ...} for dial, TLS and timeout errors.
 */
public final class KubeletClient implements AutoCloseable {
  /** How a dialled connection is secured. */
  public enum Security {
    /** Plain TCP (pod and service proxies with the {@code http} scheme). */
    NONE,
    /** TLS with the kubelet client certificate, verified with the kubelet CA when there is one. */
    KUBELET,
    /** TLS without verification and without a client certificate ({@code https:} pod and service proxies). */
    INSECURE
  }

  /** A host and port to dial. */
  public record Endpoint(String host, int port) {
    public String hostPort() {
      return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
  }

  private final KubeletOptions options;
  private final EgressSelector egress;
  private final Dialer cluster;
  private final SslContext kubeletTls;
  private final SslContext insecureTls;
  private final EventLoopGroup loops;

  private KubeletClient(KubeletOptions options, EgressSelector egress) throws SSLException {
    this.options = options;
    this.egress = egress;
    this.cluster = egress.dialer("cluster");
    SslContextBuilder kb = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
    if (options.certificateAuthority() != null) {
      kb.trustManager(options.certificateAuthority().toFile());
    } else {
      kb.trustManager(InsecureTrustManagerFactory.INSTANCE);
    }
    if (options.clientCertificate() != null) {
      kb.keyManager(options.clientCertificate().toFile(), options.clientKey().toFile());
    }
    this.kubeletTls = kb.build();
    this.insecureTls = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
        .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
    this.loops = new NioEventLoopGroup(2, new DefaultThreadFactory("kubelet-client", true));
  }

  /**
   * Builds the client: loads the egress selector configuration (direct without one) and the TLS files. Invalid
   * files fail with an {@link IllegalArgumentException} naming them.
   */
  public static KubeletClient create(KubeletOptions options) {
    EgressSelector egress = options.egressSelectorConfigFile() == null ? EgressSelector.direct(DialerOptions.DEFAULT)
        : EgressSelector.load(options.egressSelectorConfigFile(), DialerOptions.DEFAULT);
    try {
      return new KubeletClient(options, egress);
    } catch (SSLException | IllegalArgumentException e) {
      egress.close();
      throw new IllegalArgumentException("kubelet client: invalid TLS files (--kubelet-client-certificate, "
          + "--kubelet-client-key, --kubelet-certificate-authority): " + e.getMessage(), e);
    }
  }

  /**
   * The egress selection this client dials through ({@code --egress-selector-config-file}); it belongs to this
   * client, which closes it.
   */
  public EgressSelector egress() {
    return egress;
  }

  public KubeletOptions options() {
    return options;
  }

  /** An event loop for connections that belong to no client connection (logs, proxied requests). */
  public EventLoop nextLoop() {
    return loops.next();
  }

  /**
   * The kubelet of {@code node}: its first address of a {@code --kubelet-preferred-address-types} type, and
   * {@code status.daemonEndpoints.kubeletEndpoint.Port} (else {@code --kubelet-port}).
   */
  public Endpoint kubeletEndpoint(ObjectNode node) {
    JsonNode status = node.path("status");
    List<String> known = new ArrayList<>();
    for (JsonNode a : status.path("addresses")) {
      known.add(a.path("type").asText() + ":" + a.path("address").asText());
    }
    int port = status.path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt(0);
    if (port <= 0) {
      port = options.port();
    }
    for (String type : options.preferredAddressTypes()) {
      for (JsonNode a : status.path("addresses")) {
        if (type.equals(a.path("type").asText()) && !a.path("address").asText().isEmpty()) {
          return new Endpoint(a.path("address").asText(), port);
        }
      }
    }
    throw unavailable("no preferred addresses found; known addresses: " + known);
  }

  /**
   * Dials {@code endpoint} through the cluster egress on {@code loop} (null: one of this client's loops) and, for
   * TLS, completes the handshake. The channel comes back active with auto-read on and nothing but TLS in its
   * pipeline. The whole takes at most {@code --kubelet-timeout}.
   */
  public CompletableFuture<Channel> connect(Endpoint endpoint, Security security, EventLoop loop) {
    EventLoop on = loop != null ? loop : loops.next();
    CompletableFuture<Channel> result = new CompletableFuture<>();
    CompletableFuture<Channel> dial;
    try {
      dial = cluster.dial(endpoint.host(), endpoint.port(), on, new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel ch) {
          if (security != Security.NONE) {
            SslContext ctx = security == Security.KUBELET ? kubeletTls : insecureTls;
            SslHandler tls = ctx.newHandler(ch.alloc(), endpoint.host(), endpoint.port());
            if (security == Security.KUBELET && options.certificateAuthority() != null) {
              SSLParameters p = tls.engine().getSSLParameters();
              p.setEndpointIdentificationAlgorithm("HTTPS"); // the name dialled must be in the certificate
              tls.engine().setSSLParameters(p);
            }
            tls.setHandshakeTimeoutMillis(options.timeout().toMillis());
            ch.pipeline().addLast("tls", tls);
          }
        }
      });
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(unavailable(e.getMessage()));
    }
    // Thread hop: the timer runs on the dial's loop; the result completes on whatever thread fails or succeeds.
    io.netty.util.concurrent.ScheduledFuture<?> timer = on.schedule(() -> {
      if (result.completeExceptionally(unavailable("dial tcp " + endpoint.hostPort() + ": i/o timeout"))) {
        dial.cancel(false);
        dial.thenAccept(Channel::close);
      }
    }, options.timeout().toMillis(), TimeUnit.MILLISECONDS);
    result.whenComplete((c, e) -> timer.cancel(false));
    dial.whenComplete((ch, err) -> {
      if (err != null) {
        result.completeExceptionally(unavailable(describe(endpoint, err)));
        return;
      }
      SslHandler tls = ch.pipeline().get(SslHandler.class);
      if (tls == null) {
        complete(result, ch);
        return;
      }
      tls.handshakeFuture().addListener(f -> {
        if (f.isSuccess()) {
          complete(result, ch);
        } else {
          ch.close();
          result.completeExceptionally(unavailable("tls: " + rootMessage(f.cause())));
        }
      });
    });
    return result;
  }

  private static void complete(CompletableFuture<Channel> result, Channel ch) {
    if (!result.complete(ch)) {
      ch.close(); // timed out meanwhile
    }
  }

  private static String describe(Endpoint endpoint, Throwable err) {
    Throwable t = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
        ? err.getCause() : err;
    if (t instanceof TunnelException) {
      return t.getMessage();
    }
    if (t instanceof ConnectException) {
      return "dial tcp " + endpoint.hostPort() + ": connect: connection refused";
    }
    return "dial tcp " + endpoint.hostPort() + ": " + rootMessage(t);
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
  }

  /** Upstream's answer when a backend cannot be reached. */
  static ApiException unavailable(String why) {
    return new ApiException(Status.of(503, "ServiceUnavailable", "error dialing backend: " + why));
  }

  @Override
  public void close() {
    egress.close();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
