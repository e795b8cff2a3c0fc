package dev.hostplane.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.config.Flags;
import dev.hostplane.konnectivity.agent.AgentOptions;
import dev.hostplane.konnectivity.server.ProxyServerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class KonnectivityCommandsTest {
  private static final List<String> CLUSTER_TLS = List.of("--cluster-cert", "c.crt", "--cluster-key", "c.key",
      "--cluster-ca-cert", "ca.crt");

  static ProxyServerOptions server(String... args) {
    Flags f = KonnectivityServerCommand.flags();
    List<String> all = new java.util.ArrayList<>(CLUSTER_TLS);
    all.addAll(List.of(args));
    f.parse(all);
    return KonnectivityServerCommand.options(f);
  }

  static AgentOptions agent(String... args) {
    Flags f = KonnectivityAgentCommand.flags();
    f.parse(List.of(args));
    return KonnectivityAgentCommand.options(f);
  }

  @Test
  void udsFrontendTurnsTheTcpFrontendOffUnlessAskedFor() {
    ProxyServerOptions o = server("--uds-name", "/run/k.sock", "--proxy-strategies", "destHost,default",
        "--server-count", "3", "--server-id", "s1");
    assertEquals(Path.of("/run/k.sock"), o.udsName());
    assertEquals(-1, o.serverPort());
    assertEquals(List.of("destHost", "default"), o.proxyStrategies());
    assertEquals(3, o.serverCount());
    assertEquals("s1", o.serverId());
    assertEquals(Duration.ofSeconds(30), o.keepaliveTime());
    assertEquals(8091, o.agentPort());
  }

  @Test
  void tcpFrontendNeedsItsCertificates() {
    Flags.FlagException e = assertThrows(Flags.FlagException.class, () -> server());
    assertTrue(e.getMessage().contains("--server-cert"), e.getMessage());
    ProxyServerOptions o = server("--server-cert", "s.crt", "--server-key", "s.key", "--server-ca-cert", "ca.crt");
    assertEquals(8090, o.serverPort());
    assertNull(o.udsName());
    assertTrue(!o.serverId().isEmpty());
  }

  @Test
  void modeSelectsTheFrontendProtocol() {
    assertEquals("grpc", server("--uds-name", "/k").mode());
    ProxyServerOptions o = server("--uds-name", "/k", "--mode", "http-connect");
    assertEquals("http-connect", o.mode());
    assertTrue(o.httpConnect());
    assertEquals("--mode must be one of [grpc, http-connect], got \"socks5\"", assertThrows(Flags.FlagException.class,
        () -> server("--uds-name", "/k", "--mode", "socks5")).getMessage());
  }

  @Test
  void agentTokenAuthNeedsAllFourFlagsAndMakesTheClusterCaOptional() {
    assertNull(server("--uds-name", "/k").agentTokenAuth());
    ProxyServerOptions o = server("--uds-name", "/k", "--agent-namespace", "kube-system", "--agent-service-account",
        "konnectivity-agent", "--authentication-audience", "system:konnectivity-server", "--kubeconfig", "/a.conf");
    assertEquals("system:serviceaccount:kube-system:konnectivity-agent", o.agentTokenAuth().username());
    assertEquals("system:konnectivity-server", o.agentTokenAuth().audience());
    assertEquals(Path.of("/a.conf"), o.agentTokenAuth().kubeconfig());
    Flags.FlagException e = assertThrows(Flags.FlagException.class, () -> server("--uds-name", "/k",
        "--agent-namespace", "kube-system", "--agent-service-account", "konnectivity-agent"));
    assertTrue(e.getMessage().contains("--authentication-audience is missing"), e.getMessage());

    Flags f = KonnectivityServerCommand.flags();
    f.parse(List.of("--uds-name", "/k", "--cluster-cert", "c.crt", "--cluster-key", "c.key"));
    assertTrue(assertThrows(Flags.FlagException.class, () -> KonnectivityServerCommand.options(f)).getMessage()
        .contains("--cluster-ca-cert"));
    Flags g = KonnectivityServerCommand.flags();
    g.parse(List.of("--uds-name", "/k", "--cluster-cert", "c.crt", "--cluster-key", "c.key", "--agent-namespace",
        "ns", "--agent-service-account", "sa", "--authentication-audience", "aud", "--kubeconfig", "k"));
    assertNull(KonnectivityServerCommand.options(g).clusterCaCert());
  }

  @Test
  void agentWithATokenFileNeedsNoClientCertificate() {
    AgentOptions o = agent("--ca-cert", "ca.crt", "--service-account-token-path", "/var/run/token");
    assertEquals(Path.of("/var/run/token"), o.serviceAccountTokenPath());
    assertNull(o.agentCert());
    assertEquals("--agent-cert is required",
        assertThrows(Flags.FlagException.class, () -> agent("--ca-cert", "ca.crt")).getMessage());
    assertEquals("--agent-cert and --agent-key go together", assertThrows(Flags.FlagException.class,
        () -> agent("--ca-cert", "ca.crt", "--service-account-token-path", "/t", "--agent-cert", "a.crt"))
        .getMessage());
  }

  @Test
  void badValuesAreFlagErrors() {
    assertTrue(assertThrows(Flags.FlagException.class,
        () -> server("--uds-name", "/k", "--proxy-strategies", "nearest")).getMessage()
        .contains("unknown proxy strategy \"nearest\""));
    assertTrue(assertThrows(Flags.FlagException.class,
        () -> server("--uds-name", "/k", "--keepalive-time", "1s")).getMessage().contains("at least 10s"));
    assertTrue(assertThrows(Flags.FlagException.class,
        () -> server("--uds-name", "/k", "--server-count", "0")).getMessage().contains("--server-count"));
    assertTrue(assertThrows(Flags.FlagException.class,
        () -> agent("--agent-cert", "a", "--agent-key", "k")).getMessage().contains("--ca-cert is required"));
    assertTrue(assertThrows(Flags.FlagException.class,
        () -> agent("--ca-cert", "c", "--agent-cert", "a", "--agent-key", "k", "--keepalive-time", "500ms"))
        .getMessage().contains("at least 10s"));
  }

  @Test
  void agentFlagsMapToOptions() {
    AgentOptions o = agent("--ca-cert", "ca.crt", "--agent-cert", "a.crt", "--agent-key", "a.key",
        "--proxy-server-host", "k.example", "--proxy-server-port", "443", "--agent-id", "node-1",
        "--agent-identifiers", "host=node-1&default-route=true", "--keepalive-time", "0");
    assertEquals("k.example", o.proxyServerHost());
    assertEquals(443, o.proxyServerPort());
    assertEquals("node-1", o.agentId());
    assertEquals("host=node-1&default-route=true", o.agentIdentifiers());
    assertEquals(Duration.ZERO, o.keepaliveTime());
    assertEquals(Duration.ofSeconds(1), o.syncInterval());
  }
}
