package dev.hostplane.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.config.Flags;
import dev.hostplane.ops.node.NodeOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeCommandTest {
  static NodeOptions node(String... args) {
    Flags f = NodeCommand.flags();
    f.parse(List.of(args));
    return NodeCommand.options(f);
  }

  @Test
  void defaultsMatchAKubeletOnLoopback() {
    NodeOptions o = node("--kubeconfig=k", "--client-ca-file=ca.crt", "--node-name=n1");
    assertEquals("n1", o.nodeName());
    assertEquals("127.0.0.1", o.nodeIp());
    assertEquals(10250, o.kubeletPort());
    assertEquals(Duration.ofSeconds(10), o.heartbeat());
    assertNull(o.tlsCertFile());
    assertEquals(Path.of("ca.crt"), o.clientCaFile());
  }

  @Test
  void requiredFlagsAndPairsAreChecked() {
    Flags.FlagException e = assertThrows(Flags.FlagException.class, () -> node("--client-ca-file=ca"));
    assertEquals("--kubeconfig is required", e.getMessage());
    e = assertThrows(Flags.FlagException.class, () -> node("--kubeconfig=k"));
    assertEquals("--client-ca-file is required", e.getMessage());
    e = assertThrows(Flags.FlagException.class,
        () -> node("--kubeconfig=k", "--client-ca-file=ca", "--tls-cert-file=c.crt"));
    assertTrue(e.getMessage().contains("--tls-private-key-file"), e.getMessage());
    e = assertThrows(Flags.FlagException.class,
        () -> node("--kubeconfig=k", "--client-ca-file=ca", "--kubelet-port=70000"));
    assertTrue(e.getMessage().contains("kubelet port out of range"), e.getMessage());
  }

  @Test
  void upRefusesANodeCountOutOfRange() {
    Flags.FlagException e = assertThrows(Flags.FlagException.class, () -> UpCommand.run(List.of("--nodes=0")));
    assertTrue(e.getMessage().contains("--nodes must be between 1 and 200"), e.getMessage());
  }
}
