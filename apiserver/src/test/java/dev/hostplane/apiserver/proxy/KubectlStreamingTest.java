package dev.hostplane.apiserver.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real kubectl against the test kubelet through the tunnel: exec (1.30+ speak WebSocket v5, 1.27-1.29 SPDY), logs,
 * and port-forward (1.31+ tunnel SPDY in WebSocket, 1.30 and older speak SPDY).
 */
@Timeout(180)
class KubectlStreamingTest {
  @TempDir
  static Path dir;
  static StreamingFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = new StreamingFixture(dir);
    f.createPod("web", "node-1", null, "main");
    StreamingFixture.check(f.api.send("PATCH", "/api/v1/namespaces/default/pods/web/status",
        "application/merge-patch+json", "{\"status\":{\"phase\":\"Running\",\"podIP\":\"127.0.0.1\"}}"), 200);
    f.kubelet.logs.put("default/web/main", "from the kubelet\n");
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  @AfterEach
  void released() throws Exception {
    f.awaitReleased();
  }

  record Run(int exit, String out) {}

  private static Run kubectl(String version, String stdin, String... args) throws Exception {
    Path k = PortForwardAndProxyTest.kubectl(version);
    Assumptions.assumeTrue(k != null, "kubectl." + version + " not installed");
    List<String> cmd = new ArrayList<>(List.of(k.toString(), "--kubeconfig=" + f.api.server().kubeconfig()));
    cmd.addAll(List.of(args));
    Path output = Files.createTempFile(dir, "kubectl", ".out");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    try (OutputStream in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    boolean exited = p.waitFor(60, TimeUnit.SECONDS);
    if (!exited) {
      p.destroyForcibly();
    }
    String out = Files.readString(output);
    assertTrue(exited, "kubectl " + String.join(" ", args) + " did not finish: " + out);
    return new Run(p.exitValue(), out);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.33", "1.30", "1.29", "1.27"})
  void execPrintsOutputAndKeepsTheExitCode(String version) throws Exception {
    Run r = kubectl(version, null, "exec", "web", "--", "echo", "hello", "from", version);
    assertEquals(0, r.exit(), r.out());
    assertEquals("hello from " + version + "\n", r.out());
    r = kubectl(version, null, "exec", "web", "--", "exit", "3");
    assertEquals(3, r.exit(), r.out());
    assertTrue(r.out().contains("command terminated with exit code 3"), r.out());
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.33", "1.29", "1.27"})
  void execCarriesStdinToItsEnd(String version) throws Exception {
    Run r = kubectl(version, "line one\nline two\n", "exec", "-i", "web", "--", "cat");
    assertEquals(0, r.exit(), r.out());
    assertEquals("line one\nline two\n", r.out());
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.33", "1.27"})
  void logs(String version) throws Exception {
    Run r = kubectl(version, null, "logs", "web");
    assertEquals(0, r.exit(), r.out());
    assertEquals("from the kubelet\n", r.out());
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.33", "1.31", "1.30", "1.27"})
  void portForwardCarriesBytesBothWays(String version) throws Exception {
    Path k = PortForwardAndProxyTest.kubectl(version);
    Assumptions.assumeTrue(k != null, "kubectl." + version + " not installed");
    Process p = new ProcessBuilder(k.toString(), "--kubeconfig=" + f.api.server().kubeconfig(), "port-forward",
        "pod/web", ":8080").redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      Matcher m = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) -> 8080").matcher(line == null ? "" : line);
      assertTrue(m.find(), line);
      int port = Integer.parseInt(m.group(1));
      for (int i = 0; i < 2; i++) {
        try (Socket s = new Socket("127.0.0.1", port)) {
          s.setSoTimeout(10_000);
          byte[] msg = ("round " + i + " over " + version).getBytes(StandardCharsets.UTF_8);
          s.getOutputStream().write(msg);
          byte[] back = s.getInputStream().readNBytes(msg.length);
          assertEquals(new String(msg, StandardCharsets.UTF_8), new String(back, StandardCharsets.UTF_8));
        }
      }
    } finally {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
