package dev.hostplane.webhook;

import static dev.hostplane.webhook.WebhookFixture.hook;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user sees: the real kubectl 1.33 printing a validating webhook's denial. */
class KubectlDenialTest {
  @TempDir
  Path dir;

  @Test
  void kubectlPrintsTheWebhooksDenial() throws Exception {
    try (WebhookFixture f = WebhookFixture.start(dir.resolve("server"), Duration.ofSeconds(30));
        WebhookServer server = f.server(List.of(), r -> WebhookServer.deny(r, 403,
            "configmaps named like that are not allowed here"))) {
      f.register(false, "policy", hook("policy.example.com", server, "/validate"));
      Path kubectl = locate("1.33");
      Path home = Files.createDirectories(dir.resolve("home"));
      ProcessBuilder pb = new ProcessBuilder(kubectl.toString(), "--kubeconfig",
          dir.resolve("server/admin.kubeconfig").toString(), "create", "configmap", "blocked",
          "--from-literal=a=b");
      pb.environment().put("HOME", home.toString());
      pb.environment().put("KUBECACHEDIR", home.resolve("cache").toString());
      pb.redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
      Process p = pb.start();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "kubectl did not finish");
      String err = Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8).trim();
      System.out.println("kubectl 1.33 printed: " + err);
      assertEquals(1, p.exitValue(), err);
      assertEquals("error: failed to create configmap: admission webhook \"policy.example.com\" denied the request: "
          + "configmaps named like that are not allowed here", err);
    }
  }

  /** {@code kubectl.<version>} beside the real file behind the {@code kubectl} on the PATH. */
  static Path locate(String version) throws Exception {
    for (String d : System.getenv().getOrDefault("PATH", "").split(Pattern.quote(File.pathSeparator))) {
      Path candidate = d.isEmpty() ? null : Path.of(d, "kubectl");
      if (candidate != null && Files.isExecutable(candidate)) {
        Path versioned = candidate.toRealPath().resolveSibling("kubectl." + version);
        if (Files.isExecutable(versioned)) {
          return versioned;
        }
      }
    }
    throw new AssertionError("kubectl." + version + " is required beside the kubectl on the PATH");
  }
}
