package dev.hostplane.apiserver.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.testing.TestApiServer;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real kubectl against the in-process server: {@code explain} reads our OpenAPI documents (v3, or v2 for the
 * older versions) and {@code create -f} relies on server-side field validation. The kubectl binaries
 * {@code kubectl.1.NN} sit beside {@code readlink -f $(command -v kubectl)}; a missing one fails the test.
 */
@Tag("slow")
class KubectlOpenApiE2eTest {
  @TempDir
  static Path dir;
  static TestApiServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestApiServer.start(dir);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  record Run(int exit, String out, String err) {
    String all() {
      return out + "\n--- stderr ---\n" + err;
    }
  }

  static Path kubectl(String version) throws IOException {
    for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path k = Path.of(p, "kubectl");
      if (Files.isExecutable(k)) {
        Path versioned = k.toRealPath().getParent().resolve("kubectl." + version);
        return Files.isExecutable(versioned) ? versioned : null;
      }
    }
    return null;
  }

  static Run kubectl(String version, String... args) throws Exception {
    Path bin = kubectl(version);
    if (bin == null) {
      throw new AssertionError("kubectl." + version + " not found beside the kubectl on the PATH; the machine image "
          + "ships kubectl.1.27 ... kubectl.1.33 there");
    }
    List<String> cmd = new ArrayList<>(List.of(bin.toString(), "--kubeconfig=" + dir.resolve("admin.kubeconfig")));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("KUBECACHEDIR", dir.resolve("cache-" + version).toString());
    pb.environment().put("HOME", dir.toString());
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("kubectl " + String.join(" ", args) + " timed out");
    }
    Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    System.out.println("$ kubectl." + version + " " + String.join(" ", args) + " (exit " + r.exit() + ")\n" + r.all());
    return r;
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.27", "1.30", "1.33"})
  void explainPrintsFieldsWithTheirTypes(String version) throws Exception {
    Run r = kubectl(version, "explain", "pods.spec.containers");
    assertEquals(0, r.exit(), r.all());
    assertTrue(r.out().contains("KIND:") && r.out().contains("Pod"), r.all());
    assertTrue(r.out().matches("(?s).*\\bimage\\s+<string>.*"), r.all());
    assertTrue(r.out().matches("(?s).*\\bports\\s+<\\[\\](ContainerPort|Object)>.*"), r.all());
    assertTrue(r.out().matches("(?s).*\\bname\\s+<string> -required-.*"), r.all());

    // The v2 document, as kubectl 1.27/1.28 fall back to it and as the older template reads it.
    Run v2 = kubectl(version, "explain", "pods.spec.containers", "--output=plaintext-openapiv2");
    assertEquals(0, v2.exit(), v2.all());
    assertTrue(v2.out().matches("(?s).*\\bimage\\s+<string>.*"), v2.all());
    assertTrue(v2.out().matches("(?s).*\\bname\\s+<string> -required-.*"), v2.all());

    Run recursive = kubectl(version, "explain", "deployments", "--recursive");
    assertEquals(0, recursive.exit(), recursive.all());
    assertTrue(recursive.out().contains("Deployment"), recursive.all());
    assertTrue(recursive.out().matches("(?s).*\\breplicas\\s+<integer>.*"), recursive.all());
    assertTrue(recursive.out().matches("(?s).*\\bcontainers\\s+<\\[\\](Container|Object)> -required-.*"),
        recursive.all());
    assertTrue(recursive.out().matches("(?s).*\\bmaxSurge\\s+<(IntOrString|string)>.*"), recursive.all());
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.27", "1.30", "1.33"})
  void createRejectsUnknownFieldsAndAcceptsValidObjects(String version) throws Exception {
    String name = "web-" + version.replace('.', '-');
    String deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: %s
          namespace: default
        spec:
          replicas: 1
          %s
          selector:
            matchLabels: {app: %s}
          template:
            metadata:
              labels: {app: %s}
            spec:
              containers:
              - name: web
                image: nginx
                ports:
                - containerPort: 80
        """;
    Path bad = dir.resolve("bad-" + version + ".yaml");
    Files.writeString(bad, deployment.formatted(name, "foo: bar", name, name), StandardCharsets.UTF_8);
    Run rejected = kubectl(version, "create", "-f", bad.toString());
    assertNotEquals(0, rejected.exit(), rejected.all());
    assertTrue(rejected.err().contains("unknown field \"spec.foo\""), rejected.all());

    Path good = dir.resolve("good-" + version + ".yaml");
    Files.writeString(good, deployment.formatted(name, "", name, name), StandardCharsets.UTF_8);
    Run created = kubectl(version, "create", "-f", good.toString());
    assertEquals(0, created.exit(), created.all());
    assertTrue(created.out().contains(name), created.all());
  }
}
