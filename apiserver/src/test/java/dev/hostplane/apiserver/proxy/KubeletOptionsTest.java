package dev.hostplane.apiserver.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.config.Flags;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class KubeletOptionsTest {
  private static KubeletOptions parse(String... args) {
    Flags f = KubeletOptions.declare(new Flags());
    f.parse(List.of(args));
    return KubeletOptions.from(f);
  }

  @Test
  void defaultsAreUpstreams() {
    KubeletOptions o = parse();
    assertEquals(List.of("Hostname", "InternalDNS", "InternalIP", "ExternalDNS", "ExternalIP"),
        o.preferredAddressTypes());
    assertEquals(10250, o.port());
    assertEquals(Duration.ofSeconds(5), o.timeout());
    assertNull(o.certificateAuthority());
    assertNull(o.egressSelectorConfigFile());
  }

  @Test
  void badValuesAreRefusedWithTheFlagsName() {
    for (String[] args : new String[][] {{"--kubelet-preferred-address-types=InternalIP,Nowhere"},
        {"--kubelet-port=0"}, {"--kubelet-timeout=0s"}, {"--kubelet-client-certificate=/x.crt"}}) {
      Flags.FlagException e = assertThrows(Flags.FlagException.class, () -> parse(args));
      assertTrue(e.getMessage().contains("kubelet"), e.getMessage());
    }
  }

  @Test
  void theKubeletIsTheFirstPreferredAddressAtItsAdvertisedPort() throws Exception {
    ObjectNode node = (ObjectNode) new ObjectMapper().readTree("""
        {"metadata":{"name":"n"},"status":{"addresses":[{"type":"Hostname","address":"n"},
         {"type":"InternalIP","address":"127.0.0.2"}],"daemonEndpoints":{"kubeletEndpoint":{"Port":10300}}}}""");
    try (KubeletClient c = KubeletClient.create(parse("--kubelet-preferred-address-types=InternalIP,Hostname"))) {
      assertEquals(new KubeletClient.Endpoint("127.0.0.2", 10300), c.kubeletEndpoint(node));
    }
    ((ObjectNode) node.path("status")).remove("daemonEndpoints");
    try (KubeletClient c = KubeletClient.create(parse("--kubelet-port=10251"))) {
      assertEquals(new KubeletClient.Endpoint("n", 10251), c.kubeletEndpoint(node));
    }
    try (KubeletClient c = KubeletClient.create(parse("--kubelet-preferred-address-types=ExternalIP"))) {
      ApiException e = assertThrows(ApiException.class, () -> c.kubeletEndpoint(node));
      assertEquals(503, e.code());
      assertTrue(e.getMessage() == null || e.status().message().startsWith("error dialing backend: no preferred"),
          e.status().message());
    }
  }
}
