package dev.hostplane.konnectivity.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hostplane.konnectivity.DialerOptions;
import dev.hostplane.konnectivity.client.EgressSelectorConfiguration.Protocol;
import dev.hostplane.konnectivity.client.EgressSelectorConfiguration.Selection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Parsing and validating the EgressSelectorConfiguration file, and the dialers an EgressSelector hands out. */
class EgressSelectorConfigurationTest {
  @TempDir
  Path dir;

  private static EgressSelectorConfiguration parse(String text) {
    return EgressSelectorConfiguration.parse("test", text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsUpstreamsV1beta1YamlExample() {
    EgressSelectorConfiguration c = parse("""
        apiVersion: apiserver.k8s.io/v1beta1
        kind: EgressSelectorConfiguration
        egressSelections:
        - name: cluster
          connection:
            proxyProtocol: GRPC
            transport:
              uds:
                udsName: /etc/kubernetes/konnectivity-server/konnectivity-server.socket
        - name: master
          connection:
            proxyProtocol: Direct
        - name: etcd
          connection:
            proxyProtocol: Direct
        """);
    assertEquals(new Selection("cluster", Protocol.GRPC,
        "/etc/kubernetes/konnectivity-server/konnectivity-server.socket", null), c.selection("cluster"));
    assertEquals(new Selection("controlplane", Protocol.Direct, null, null), c.selection("controlplane"));
    assertEquals(Protocol.Direct, c.selection("etcd").protocol());
  }

  @Test
  void readsV1JsonWithHttpConnectOverTls() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.crt"), "x");
    Path key = Files.writeString(dir.resolve("client.key"), "x");
    Path cert = Files.writeString(dir.resolve("client.crt"), "x");
    EgressSelectorConfiguration c = parse("""
        {"apiVersion": "apiserver.k8s.io/v1", "kind": "EgressSelectorConfiguration",
         "egressSelections": [{"name": "cluster", "connection": {"proxyProtocol": "HTTPConnect",
           "transport": {"tcp": {"url": "https://konnectivity.example:8131",
             "tlsConfig": {"caBundle": "%s", "clientKey": "%s", "clientCert": "%s"}}}}}]}
        """.formatted(ca, key, cert));
    Selection s = c.selection("cluster");
    assertEquals(Protocol.HTTPConnect, s.protocol());
    assertEquals(new EgressSelectorConfiguration.Tcp("https://konnectivity.example:8131",
        new EgressSelectorConfiguration.Tls(ca.toString(), key.toString(), cert.toString())), s.tcp());
    assertNull(c.selection("etcd"));
  }

  static List<Object[]> badFiles() {
    String head = "apiVersion: apiserver.k8s.io/v1beta1\nkind: EgressSelectorConfiguration\negressSelections:\n";
    return List.of(
        new Object[] {"apiVersion: apiserver.k8s.io/v2\nkind: EgressSelectorConfiguration\n",
            "no kind \"EgressSelectorConfiguration\" is registered for version \"apiserver.k8s.io/v2\""},
        new Object[] {head + "- name: nodes\n  connection: {proxyProtocol: Direct}\n",
            "egressSelections[0].name: Unsupported value: \"nodes\": supported values: \"cluster\", "
                + "\"controlplane\", \"etcd\""},
        new Object[] {head + "- name: cluster\n  connection: {proxyProtocol: Direct}\n"
            + "- name: cluster\n  connection: {proxyProtocol: Direct}\n",
            "egressSelections[1].name: Duplicate value: \"cluster\""},
        new Object[] {head + "- name: cluster\n  connection: {proxyProtocol: SOCKS5}\n",
            "egressSelections[0].connection.proxyProtocol: Unsupported value: \"SOCKS5\": supported values: "
                + "\"Direct\", \"GRPC\", \"HTTPConnect\""},
        new Object[] {head + "- name: cluster\n  connection:\n    proxyProtocol: Direct\n"
            + "    transport: {uds: {udsName: /x}}\n",
            "egressSelections[0].connection.transport: Invalid value: \"direct\": Transport config should be "
                + "absent for direct connect"},
        new Object[] {head + "- name: cluster\n  connection:\n    proxyProtocol: GRPC\n    transport: {}\n",
            "egressSelections[0].connection.transport: Required value: one of TCP or UDS must be set"},
        new Object[] {head + "- name: cluster\n  connection:\n    proxyProtocol: HTTPConnect\n"
            + "    transport: {uds: {udsName: /x}, tcp: {url: 'http://p:1'}}\n",
            "egressSelections[0].connection.transport: Invalid value: TCP and UDS cannot both be set"},
        new Object[] {head + "- name: cluster\n  connection:\n    proxyProtocol: GRPC\n"
            + "    transport: {uds: {}}\n",
            "egressSelections[0].connection.transport.uds.udsName: Required value: UDSName should be present"},
        new Object[] {head + "- name: cluster\n  connection:\n    proxyProtocol: GRPC\n"
            + "    transport: {tcp: {url: 'http://p:8131'}}\n",
            "egressSelections[0].connection.transport.tcp.url: Invalid value: \"http://p:8131\": GRPC over TCP "
                + "needs https:// and mutual TLS"},
        new Object[] {head + "- name: cluster\n  connection:\n    proxyProtocol: HTTPConnect\n"
            + "    transport: {tcp: {url: 'ftp://p:8131'}}\n",
            "egressSelections[0].connection.transport.tcp.url: Invalid value: \"ftp://p:8131\": supported "
                + "connection protocols are http:// and https://"},
        new Object[] {head + "- name: cluster\n  connection:\n    proxyProtocol: HTTPConnect\n"
            + "    transport: {tcp: {url: 'https://p:8131'}}\n",
            "egressSelections[0].connection.transport.tcp.tlsConfig: Required value: TLSConfig config should be "
                + "present for HTTPConnect via https"},
        new Object[] {head + "- name: cluster\n  connection:\n    proxyProtocol: HTTPConnect\n"
            + "    transport: {tcp: {url: 'https://p:8131', tlsConfig: {clientCert: /absent.crt}}}\n",
            "egressSelections[0].connection.transport.tcp.tlsConfig.clientKey: Required value: Using TLS "
                + "requires clientKey, egressSelections[0].connection.transport.tcp.tlsConfig.clientCert: "
                + "Invalid value: \"/absent.crt\": absent file"},
        new Object[] {"egressSelections: [", "failed to parse: "});
  }

  @ParameterizedTest
  @MethodSource("badFiles")
  void rejectsBadFilesWithClearMessages(String text, String message) {
    var e = assertThrows(EgressSelectorConfiguration.InvalidException.class, () -> parse(text));
    String prefix = "invalid egress selector configuration test: ";
    if (message.endsWith(": ")) {
      assertEquals(prefix + message, e.getMessage().substring(0, (prefix + message).length()));
    } else {
      assertEquals(prefix + message, e.getMessage().replaceAll(" \\(want .*\\)$", ""));
    }
  }

  @Test
  void handsOutTheConfiguredDialerAndDirectForTheRest() throws Exception {
    Path file = Files.writeString(dir.resolve("egress.yaml"), """
        apiVersion: apiserver.k8s.io/v1
        kind: EgressSelectorConfiguration
        egressSelections:
        - name: cluster
          connection:
            proxyProtocol: GRPC
            transport:
              uds: {udsName: %s}
        - name: controlplane
          connection:
            proxyProtocol: HTTPConnect
            transport:
              tcp: {url: "http://127.0.0.1:8131"}
        """.formatted(dir.resolve("konnectivity-server.socket")));
    try (EgressSelector selector = EgressSelector.load(file, DialerOptions.DEFAULT)) {
      assertInstanceOf(GrpcTunnelDialer.class, selector.dialer("cluster"));
      assertInstanceOf(HttpConnectDialer.class, selector.dialer("controlplane"));
      assertInstanceOf(DirectDialer.class, selector.dialer("etcd"));
      assertSame(selector.dialer("etcd"), selector.dialer("etcd"));
      var e = assertThrows(IllegalArgumentException.class, () -> selector.dialer("kubelet"));
      assertEquals("unknown egress selection \"kubelet\", expected one of [cluster, controlplane, etcd]",
          e.getMessage());
    }
    try (EgressSelector none = EgressSelector.direct(DialerOptions.DEFAULT)) {
      assertInstanceOf(DirectDialer.class, none.dialer("cluster"));
    }
  }
}
