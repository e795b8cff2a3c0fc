package dev.hostplane.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.hostplane.apiserver.ApiServer;
import dev.hostplane.apiserver.ApiServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code hostplane bench} against a real in-process apiserver, with tiny settings. */
@Tag("slow")
@Timeout(180)
class BenchCommandE2ETest {
  private static final List<String> TINY = List.of("--duration=1s", "--objects=200", "--watchers=5",
      "--watch-events=20", "--connections=2");

  @TempDir
  static Path dir;

  static ApiServer server;

  @BeforeAll
  static void start() throws Exception {
    server = ApiServer.start(ApiServerConfig.forTesting(dir));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void everyPhaseReportsAndNoEventIsLost() {
    // A kept run first, so that the second one exercises the paths of existing namespaces and objects.
    Run kept = bench("--namespace=e2e", "--keep", "--skip=memory");
    assertEquals(0, kept.code, kept.err);
    assertFalse(kept.err.contains("deleting"), kept.err);

    Run run = bench("--namespace=e2e");

    assertEquals(0, run.code, run.err);
    for (String row : List.of("create   creates/s", "get      gets/s", "authz    added by authn + RBAC p50 / p99",
        "list     p50 / p99 (200 obj)",
        "watch    delivery p50 / p99", "watch    events delivered        100 / 100", "watch    missed events  ",
        "memory   RSS after / idle", "memory   heap used after / idle")) {
      assertTrue(run.out.replaceAll(" {2,}", "  ").contains(row.replaceAll(" {2,}", "  ")),
          "no row \"" + row + "\" in\n" + run.out);
    }
    assertFalse(run.out.contains("FAILURE"), run.out);
    assertTrue(run.err.contains("bench: deleting namespaces e2e, e2e-list"), run.err);
  }

  @Test
  void refusedCredentialsEndTheRunWithTheServersMessage() throws Exception {
    YAMLMapper yaml = new YAMLMapper();
    ObjectNode config = (ObjectNode) yaml.readTree(server.kubeconfig().toFile());
    ((ObjectNode) config.get("users").get(0).get("user")).removeAll(); // anonymous
    Path anonymous = dir.resolve("anonymous.kubeconfig");
    Files.writeString(anonymous, yaml.writeValueAsString(config));

    Run run = bench("--kubeconfig=" + anonymous, "--namespace=e2e-anon");

    assertEquals(1, run.code, run.out + run.err);
    // Without credentials, only the public-info paths authenticate: everything else is 401.
    assertTrue(run.err.contains("error: cannot create namespace e2e-anon: HTTP 401: "), run.err);
    assertTrue(run.err.contains("Unauthorized"), run.err);
  }

  @Test
  void unreachableServerIsAnError() throws Exception {
    String text = Files.readString(server.kubeconfig()).replace(":" + server.port(), ":1");
    Path wrong = Files.writeString(dir.resolve("port1.kubeconfig"), text);

    Run run = bench("--kubeconfig=" + wrong);

    assertEquals(1, run.code);
    assertTrue(run.err.contains("error: cannot open an HTTP/2 connection to https://127.0.0.1:1"), run.err);
  }

  private static Run bench(String... extra) {
    List<String> args = new ArrayList<>(TINY);
    args.add("--kubeconfig=" + server.kubeconfig());
    args.addAll(List.of(extra)); // a later --kubeconfig wins
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = BenchCommand.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    Run r = new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    System.out.println(r.err + r.out);
    return r;
  }

  private record Run(int code, String out, String err) {}
}
