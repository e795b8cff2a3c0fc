package dev.hostplane.apiserver.authn;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A measurement, not a test: what authentication adds to a request. (1) In process: verifying a service account
 * token the first time (signature) and again (the verified-token cache), with the object lookups answered from
 * memory. (2) Over HTTP/2 against an in-process server: {@code GET /version} one request at a time, authenticated by
 * the admin client certificate, a static token and a service account token (whose service account is read through
 * the watch cache on every request). Prints Markdown tables. Run with the test classpath, e.g.
 * {@code java -cp apiserver/target/classes:apiserver/target/test-classes:<dependencies>
 * dev.hostplane.apiserver.authn.AuthenticationCostBench [requests]}.
 */
public final class AuthenticationCostBench {
  private static final String ISSUER = ServiceAccountTokens.DEFAULT_ISSUER;

  private AuthenticationCostBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    inProcess(n);
    overHttp(n);
    System.exit(0);
  }

  private static void inProcess(int n) throws Exception {
    Path dir = Files.createTempDirectory("authn-bench");
    ServiceAccountKeys keys = ServiceAccountKeys.load(null, List.of(), dir);
    ObjectNode sa = Codecs.mapper().createObjectNode();
    sa.putObject("metadata").put("name", "bench").put("namespace", "default").put("uid", "uid-1");
    ServiceAccountTokens tokens = new ServiceAccountTokens(keys, List.of(ISSUER), List.of(ISSUER), Duration.ZERO,
        (resource, ns, name) -> sa, Clock.systemUTC());
    List<String> distinct = new ArrayList<>();
    for (int i = 0; i < 2 * n; i++) {
      distinct.add(tokens.issue(new ServiceAccountTokens.Grant("default", "bench", "uid-1", List.of(), 3600, null,
          null, null)).token());
    }
    for (int i = 0; i < n; i++) { // warm-up
      tokens.authenticate(distinct.get(i), List.of(ISSUER)).orElseThrow();
    }
    long[] first = new long[n];
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      tokens.authenticate(distinct.get(n + i), List.of(ISSUER)).orElseThrow();
      first[i] = System.nanoTime() - t;
    }
    long[] again = new long[n];
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      tokens.authenticate(distinct.get(n + i), List.of(ISSUER)).orElseThrow();
      again[i] = System.nanoTime() - t;
    }
    System.out.printf("In process, RS256 (2048-bit), %d tokens:%n%n", n);
    System.out.println("| verification | p50 us | p99 us |");
    System.out.println("|---|---:|---:|");
    row("first use (signature checked)", first);
    row("again (verified-token cache)", again);
    System.out.println();
  }

  private static void overHttp(int n) throws Exception {
    Path dir = Files.createTempDirectory("authn-bench-http");
    Files.writeString(dir.resolve("tokens.csv"), "static-token,bench,uid-bench\n");
    try (TestApiServer server = TestApiServer.start(dir.resolve("server"),
        "--token-auth-file=" + dir.resolve("tokens.csv"))) {
      AuthnHttp http = new AuthnHttp(server);
      http.serviceAccount("default", "bench");
      String saToken = http.tokenRequest("default", "bench", "{}");
      System.out.printf("GET /version over HTTP/2, one at a time, %d requests after as many warm-up:%n%n", n);
      System.out.println("| credential | p50 us | p99 us |");
      System.out.println("|---|---:|---:|");
      row("client certificate", requests(server.client(), server, null, n));
      row("static token", requests(server.anonymousClient(), server, "static-token", n));
      row("service account token", requests(server.anonymousClient(), server, saToken, n));
    }
  }

  private static long[] requests(HttpClient client, TestApiServer server, String token, int n) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.uri("/version"));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpRequest req = b.build();
    long[] out = new long[n];
    for (int i = 0; i < 2 * n; i++) {
      long t = System.nanoTime();
      HttpResponse<Void> r = client.send(req, HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET /version: " + r.statusCode());
      }
      if (i >= n) {
        out[i - n] = System.nanoTime() - t;
      }
    }
    return out;
  }

  private static void row(String what, long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    System.out.printf("| %s | %.1f | %.1f |%n", what, s[s.length / 2] / 1000.0, s[(int) (s.length * 0.99)] / 1000.0);
  }
}
