package dev.hostplane.konnectivity.client;

import dev.hostplane.konnectivity.Dialer;
import dev.hostplane.konnectivity.DialerMetrics;
import dev.hostplane.konnectivity.DialerOptions;
import dev.hostplane.konnectivity.client.EgressSelectorConfiguration.Protocol;
import dev.hostplane.konnectivity.client.EgressSelectorConfiguration.Selection;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * Hands out the {@link Dialer} for each kind of egress traffic ({@code cluster}, {@code controlplane}, {@code etcd})
 * as an {@link EgressSelectorConfiguration} says; a name the configuration does not mention dials directly, as
 * upstream. Owns the dialers: {@link #close()} closes them all.
 */
public final class EgressSelector implements AutoCloseable {
  private final Map<String, Dialer> dialers;
  private final Dialer direct;
  private final DialerMetrics metrics;

  private EgressSelector(Map<String, Dialer> dialers, Dialer direct, DialerMetrics metrics) {
    this.dialers = Map.copyOf(dialers);
    this.direct = direct;
    this.metrics = metrics;
  }

  /** Every name dials directly (no {@code --egress-selector-config-file}). */
  public static EgressSelector direct(DialerOptions options) {
    return new EgressSelector(Map.of(), new DirectDialer(options), new DialerMetrics());
  }

  /** Loads and validates {@code file} and builds its dialers. */
  public static EgressSelector load(Path file, DialerOptions options) {
    return of(EgressSelectorConfiguration.load(file), options);
  }

  public static EgressSelector of(EgressSelectorConfiguration config, DialerOptions options) {
    DialerMetrics metrics = new DialerMetrics();
    Map<String, Dialer> dialers = new HashMap<>();
    try {
      for (Selection s : config.selections()) {
        dialers.put(s.name(), dialerFor(s, options, metrics));
      }
    } catch (RuntimeException e) {
      dialers.values().forEach(Dialer::close);
      throw e;
    }
    return new EgressSelector(dialers, new DirectDialer(options), metrics);
  }

  private static Dialer dialerFor(Selection s, DialerOptions options, DialerMetrics metrics) {
    if (s.protocol() == Protocol.Direct) {
      return new DirectDialer(options);
    }
    if (s.udsName() != null) {
      Path socket = Path.of(s.udsName());
      return s.protocol() == Protocol.GRPC
          ? GrpcTunnelDialer.overUnixSocket(socket, options, metrics)
          : HttpConnectDialer.overUnixSocket(socket, options, metrics);
    }
    URI url = URI.create(s.tcp().url());
    boolean https = "https".equals(url.getScheme());
    int port = url.getPort() > 0 ? url.getPort() : https ? 443 : 80;
    if (s.protocol() == Protocol.GRPC) {
      return GrpcTunnelDialer.overTls(url.getHost(), port, tls(s.tcp().tls(), true), options, metrics);
    }
    return HttpConnectDialer.overTcp(url.getHost(), port, https ? tls(s.tcp().tls(), false) : null, options,
        metrics);
  }

  private static SslContext tls(EgressSelectorConfiguration.Tls t, boolean grpc) {
    try {
      SslContextBuilder b = grpc ? GrpcSslContexts.forClient() : SslContextBuilder.forClient();
      if (!t.caBundle().isEmpty()) {
        b.trustManager(new File(t.caBundle()));
      }
      return b.keyManager(new File(t.clientCert()), new File(t.clientKey())).build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("egress selector: invalid TLS files " + t + ": " + e.getMessage(), e);
    }
  }

  /** The dialer for {@code name}: its configured one, else direct. */
  public Dialer dialer(String name) {
    Objects.requireNonNull(name, "name");
    if (!EgressSelectorConfiguration.NAMES.contains(name)) {
      throw new IllegalArgumentException("unknown egress selection \"" + name + "\", expected one of "
          + EgressSelectorConfiguration.NAMES);
    }
    return dialers.getOrDefault(name, direct);
  }

  /** The metrics of every tunnel dialer of this selector. */
  public DialerMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    dialers.values().forEach(Dialer::close);
    direct.close();
  }
}
