package dev.hostplane.ops.node.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostplane.ops.bench.ClientConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The node's connection to the apiserver: the JDK HTTP client with the kubeconfig's TLS identity. Every call blocks
 * the calling thread (the node's own worker threads, never an event loop).
 */
public final class ApiClient {
  public static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** An answer from the apiserver. */
  public record Response(int code, String body) {
    public boolean ok() {
      return code / 100 == 2;
    }

    public JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  private final HttpClient http;
  private final String base;

  private ApiClient(HttpClient http, String base) {
    this.http = http;
    this.base = base;
  }

  public static ApiClient create(ClientConfig config) throws IOException {
    HttpClient http = HttpClient.newBuilder().sslContext(sslContext(config)).version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    return new ApiClient(http, config.server().toString().replaceAll("/+$", ""));
  }

  public Response send(String method, String path, String contentType, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT)
        .header("Accept", "application/json");
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body());
  }

  public Response get(String path) throws IOException, InterruptedException {
    return send("GET", path, null, null);
  }

  public Response post(String path, JsonNode body) throws IOException, InterruptedException {
    return send("POST", path, "application/json", JSON.writeValueAsString(body));
  }

  /** Sends a POST without waiting for the answer; failures are dropped (for best-effort writes such as events). */
  public void postAsync(String path, JsonNode body) {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT)
          .header("Content-Type", "application/json").header("Accept", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8)).build();
      http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      // Not serialisable: nothing to send.
    }
  }

  public Response mergePatch(String path, JsonNode patch) throws IOException, InterruptedException {
    return send("PATCH", path, "application/merge-patch+json", JSON.writeValueAsString(patch));
  }

  public Response delete(String path, JsonNode options) throws IOException, InterruptedException {
    return send("DELETE", path, "application/json", JSON.writeValueAsString(options));
  }

  /** A streamed GET (a watch): the status code and the body as it arrives; the caller closes the stream. */
  public HttpResponse<InputStream> stream(String path) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "application/json")
        .GET().build();
    return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
  }

  private static SSLContext sslContext(ClientConfig config) throws IOException {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (X509Certificate ca : config.trustedCas()) {
        trust.setCertificateEntry("ca" + i++, ca);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(config.trustedCas().isEmpty() ? null : trust);
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      if (config.clientKey() != null) {
        keys.setKeyEntry("client", config.clientKey(), new char[0],
            config.clientChain().toArray(Certificate[]::new));
      }
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot build TLS context from the kubeconfig: " + e.getMessage(), e);
    }
  }
}
