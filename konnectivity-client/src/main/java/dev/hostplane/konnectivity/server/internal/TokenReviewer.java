package dev.hostplane.konnectivity.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * Reviews bearer tokens with {@code POST /apis/authentication.k8s.io/v1/tokenreviews} against the apiserver of a
 * kubeconfig (server URL, CA, client certificate or token). Asynchronous: the HTTP exchange and its completion run
 * on the given executor. Successful reviews are remembered for a minute per token hash.
 */
public final class TokenReviewer {
  /** How long one review may take. */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);
  static final Duration CACHE_TTL = Duration.ofMinutes(1);
  private static final int CACHE_MAX = 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Outcome of a review: the username when authenticated, otherwise why not. */
  public record Result(boolean authenticated, String username, String error) {
    static Result denied(String error) {
      return new Result(false, "", error);
    }
  }

  private final HttpClient http;
  private final URI endpoint;
  private final String bearer;
  private final String audience;
  private final LongSupplier nanoClock;
  private final Executor executor;
  private final Map<String, Long> cache = new ConcurrentHashMap<>();

  private TokenReviewer(HttpClient http, URI endpoint, String bearer, String audience, LongSupplier nanoClock,
      Executor executor) {
    this.executor = executor;
    this.http = http;
    this.endpoint = endpoint;
    this.bearer = bearer;
    this.audience = audience;
    this.nanoClock = nanoClock;
  }

  /** A reviewer for tokens of {@code audience}, reaching the apiserver as {@code kubeconfig} says. */
  public static TokenReviewer fromKubeconfig(Path kubeconfig, String audience, Executor executor)
      throws IOException {
    JsonNode root = new YAMLMapper().readTree(kubeconfig.toFile());
    if (root == null || !root.isObject()) {
      throw new IOException(kubeconfig + ": not a kubeconfig");
    }
    Path dir = kubeconfig.toAbsolutePath().getParent();
    String contextName = root.path("current-context").asText("");
    JsonNode context = named(root, "contexts", contextName, "context", kubeconfig);
    JsonNode cluster = named(root, "clusters", context.path("cluster").asText(""), "cluster", kubeconfig);
    String userName = context.path("user").asText("");
    JsonNode user = userName.isEmpty() ? JSON.createObjectNode() : named(root, "users", userName, "user", kubeconfig);
    String server = cluster.path("server").asText("");
    if (!server.startsWith("https://")) {
      throw new IOException(kubeconfig + ": cluster server must be an https:// URL, got \"" + server + "\"");
    }
    SslContextBuilder tls = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
    byte[] ca = pem(cluster, "certificate-authority-data", "certificate-authority", dir);
    if (ca != null) {
      tls.trustManager(new ByteArrayInputStream(ca));
    }
    byte[] cert = pem(user, "client-certificate-data", "client-certificate", dir);
    byte[] key = pem(user, "client-key-data", "client-key", dir);
    if ((cert == null) != (key == null)) {
      throw new IOException(kubeconfig + ": user \"" + userName + "\" has a client certificate without a key "
          + "or a key without a certificate");
    }
    if (cert != null) {
      try (InputStream c = new ByteArrayInputStream(cert); InputStream k = new ByteArrayInputStream(key)) {
        tls.keyManager(c, k);
      } catch (IllegalArgumentException e) {
        throw new IOException(kubeconfig + ": cannot read the client certificate or key: " + e.getMessage(), e);
      }
    }
    String token = user.path("token").asText("");
    if (token.isEmpty() && user.hasNonNull("tokenFile")) {
      token = Files.readString(dir.resolve(user.get("tokenFile").asText()), StandardCharsets.UTF_8).trim();
    }
    HttpClient http = HttpClient.newBuilder()
        .sslContext(((JdkSslContext) tls.build()).context())
        .connectTimeout(TIMEOUT)
        .executor(executor)
        .build();
    URI endpoint = URI.create(server.replaceAll("/+$", "") + "/apis/authentication.k8s.io/v1/tokenreviews");
    return new TokenReviewer(http, endpoint, token.isEmpty() ? null : token, audience, System::nanoTime,
        executor);
  }

  /** Reviews {@code token}; never completes exceptionally (failures are a denied result). */
  public CompletableFuture<Result> review(String token, String expectedUser) {
    String hash = sha256(token);
    Long expiry = cache.get(hash);
    long now = nanoClock.getAsLong();
    if (expiry != null && expiry - now > 0) {
      return CompletableFuture.supplyAsync(() -> new Result(true, expectedUser, ""), executor);
    }
    ObjectNode body = JSON.createObjectNode()
        .put("apiVersion", "authentication.k8s.io/v1")
        .put("kind", "TokenReview");
    ObjectNode spec = body.putObject("spec").put("token", token);
    spec.putArray("audiences").add(audience);
    HttpRequest.Builder req = HttpRequest.newBuilder(endpoint)
        .timeout(TIMEOUT)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    if (bearer != null) {
      req.header("Authorization", "Bearer " + bearer);
    }
    return http.sendAsync(req.build(), HttpResponse.BodyHandlers.ofString())
        .handleAsync((r, e) -> e != null ? Result.denied("TokenReview failed: " + rootMessage(e))
            : result(r.statusCode(), r.body(), expectedUser, hash), executor);
  }

  private Result result(int status, String body, String expectedUser, String hash) {
    if (status != 201 && status != 200) {
      return Result.denied("TokenReview failed: HTTP " + status);
    }
    JsonNode s;
    try {
      s = JSON.readTree(body).path("status");
    } catch (IOException e) {
      return Result.denied("TokenReview failed: unreadable response");
    }
    if (!s.path("authenticated").asBoolean(false)) {
      String err = s.path("error").asText("");
      return Result.denied("token not authenticated" + (err.isEmpty() ? "" : ": " + err));
    }
    JsonNode auds = s.path("audiences");
    if (auds.isArray() && auds.size() > 0) {
      boolean ours = false;
      for (JsonNode a : auds) {
        ours |= a.asText().equals(audience);
      }
      if (!ours) {
        return Result.denied("token not valid for audience " + audience);
      }
    }
    String username = s.path("user").path("username").asText("");
    if (!username.equals(expectedUser)) {
      return new Result(false, username, "token belongs to " + username + ", expected " + expectedUser);
    }
    if (cache.size() >= CACHE_MAX) {
      long now = nanoClock.getAsLong();
      cache.values().removeIf(exp -> exp - now <= 0);
      if (cache.size() >= CACHE_MAX) {
        cache.clear();
      }
    }
    cache.put(hash, nanoClock.getAsLong() + CACHE_TTL.toNanos());
    return new Result(true, username, "");
  }

  private static String rootMessage(Throwable e) {
    while (e.getCause() != null) {
      e = e.getCause();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static String sha256(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode named(JsonNode root, String list, String name, String field, Path file)
      throws IOException {
    for (JsonNode n : root.path(list)) {
      if (n.path("name").asText("").equals(name)) {
        return n.path(field);
      }
    }
    throw new IOException(file + ": no " + field + " named \"" + name + "\"");
  }

  private static byte[] pem(JsonNode node, String dataField, String fileField, Path dir) throws IOException {
    String data = node.path(dataField).asText("");
    if (!data.isEmpty()) {
      try {
        return Base64.getDecoder().decode(data.replaceAll("\\s", ""));
      } catch (IllegalArgumentException e) {
        throw new IOException(dataField + " is not valid base64", e);
      }
    }
    String file = node.path(fileField).asText("");
    return file.isEmpty() ? null : Files.readAllBytes(dir.resolve(file));
  }
}
