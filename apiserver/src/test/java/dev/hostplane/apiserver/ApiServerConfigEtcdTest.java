package dev.hostplane.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.config.Flags;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiServerConfigEtcdTest {
  private static ApiServerConfig parse(String... extra) {
    Flags f = ApiServerConfig.flags();
    List<String> args = new ArrayList<>(List.of("--bind-address=127.0.0.1"));
    args.addAll(List.of(extra));
    f.parse(args);
    return ApiServerConfig.from(f);
  }

  @Test
  void withoutEtcdServersStorageIsEmbedded() {
    assertNull(parse().etcd());
  }

  @Test
  void etcdServersAndTlsFilesBecomeStorageOptions() {
    ApiServerConfig c = parse("--etcd-servers=https://10.0.0.1:2379,https://10.0.0.2:2379", "--etcd-cafile=ca.crt",
        "--etcd-certfile=etcd-client.crt", "--etcd-keyfile=etcd-client.key");
    assertEquals(List.of(URI.create("https://10.0.0.1:2379"), URI.create("https://10.0.0.2:2379")),
        c.etcd().endpoints());
    assertEquals(Path.of("ca.crt"), c.etcd().caFile());
    assertEquals(Path.of("etcd-client.key"), c.etcd().keyFile());
    assertTrue(c.etcd().tls());
  }

  @Test
  void badEtcdFlagsAreRefusedNamingTheFlag() {
    record Case(List<String> flags, String flagNamed) {}
    for (Case c : List.of(
        new Case(List.of("--etcd-servers=127.0.0.1:2379"), "--etcd-servers"),
        new Case(List.of("--etcd-servers=http://127.0.0.1:2379/x"), "--etcd-servers"),
        new Case(List.of("--etcd-servers=http://a:2379,https://b:2379"), "--etcd-servers"),
        new Case(List.of("--etcd-servers=http://a:2379", "--etcd-cafile=ca.crt"), "--etcd-cafile"),
        new Case(List.of("--etcd-servers=https://a:2379", "--etcd-certfile=c.crt"), "--etcd-keyfile"),
        new Case(List.of("--etcd-keyfile=c.key"), "--etcd-servers"))) {
      Flags.FlagException e = assertThrows(Flags.FlagException.class,
          () -> parse(c.flags().toArray(String[]::new)), c.toString());
      assertTrue(e.getMessage().contains(c.flagNamed()), c + ": " + e.getMessage());
    }
  }
}
