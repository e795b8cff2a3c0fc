package dev.hostplane.webhook.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The client credentials the apiserver presents to webhooks, from upstream's {@code --admission-control-config-file}
 * (an {@code AdmissionConfiguration} whose {@code ValidatingAdmissionWebhook} and {@code MutatingAdmissionWebhook}
 * plugins carry, inline or in a file, a {@code WebhookAdmissionConfiguration} naming a {@code kubeConfigFile}). In
 * that kubeconfig each user is named after the webhook hosts it is for: {@code host:port}, {@code host} (port
 * 443), {@code *.domain} or {@code *}; a user may hold a client certificate and key, a token (or {@code tokenFile})
 * or a username and password. Immutable once loaded; thread-safe.
 */
public final class WebhookCredentials {
  /** No credentials for any host. */
  public static final WebhookCredentials NONE = new WebhookCredentials(Map.of(), Map.of());

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /**
   * What to present to one host.
   *
   * @param name the kubeconfig user's name (identifies the credentials, e.g. in connection pools)
   * @param certificatePem client certificate chain (PEM), or null
   * @param keyPem its private key (PEM), or null
   * @param authorization the {@code Authorization} header value (Bearer or Basic), or null
   */
  public record Credentials(String name, byte[] certificatePem, byte[] keyPem, String authorization) {}

  private final Map<String, Credentials> validating;
  private final Map<String, Credentials> mutating;

  private WebhookCredentials(Map<String, Credentials> validating, Map<String, Credentials> mutating) {
    this.validating = validating;
    this.mutating = mutating;
  }

  /**
   * Loads {@code file} (null: {@link #NONE}). Plugins other than the two webhook plugins are ignored. Fails with an
   * {@link IllegalArgumentException} naming the file and the problem.
   */
  public static WebhookCredentials load(Path file) {
    if (file == null) {
      return NONE;
    }
    try {
      JsonNode root = YAML.readTree(Files.readString(file, StandardCharsets.UTF_8));
      if (root == null || !"AdmissionConfiguration".equals(root.path("kind").asText())) {
        throw new IllegalArgumentException("expected kind AdmissionConfiguration");
      }
      Map<String, Credentials> validating = Map.of();
      Map<String, Credentials> mutating = Map.of();
      for (JsonNode plugin : root.path("plugins")) {
        String name = plugin.path("name").asText();
        if (!name.equals("ValidatingAdmissionWebhook") && !name.equals("MutatingAdmissionWebhook")) {
          continue;
        }
        Map<String, Credentials> users = users(pluginConfiguration(file, plugin));
        if (name.equals("ValidatingAdmissionWebhook")) {
          validating = users;
        } else {
          mutating = users;
        }
      }
      return new WebhookCredentials(validating, mutating);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("--admission-control-config-file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The credentials for a call to {@code host:port} by a mutating or validating webhook, or null. Lookup order, as
   * upstream: {@code host:port}; {@code host} when the port is 443; {@code *.parent} for each parent domain,
   * nearest first; {@code *}.
   */
  public Credentials forHost(boolean mutatingWebhook, String host, int port) {
    Map<String, Credentials> users = mutatingWebhook ? mutating : validating;
    if (users.isEmpty()) {
      return null;
    }
    String h = host.contains(":") ? "[" + host + "]" : host;
    Credentials c = users.get(h + ":" + port);
    if (c == null && port == 443) {
      c = users.get(host);
    }
    for (int dot = host.indexOf('.'); c == null && dot >= 0; dot = host.indexOf('.', dot + 1)) {
      c = users.get("*" + host.substring(dot));
    }
    return c != null ? c : users.get("*");
  }

  private record Config(Path baseDir, JsonNode node) {}

  /** The plugin's WebhookAdmissionConfiguration: inline ({@code configuration}) or in the file at {@code path}. */
  private static Config pluginConfiguration(Path admissionFile, JsonNode plugin) throws IOException {
    Path base = admissionFile.toAbsolutePath().getParent();
    if (plugin.hasNonNull("configuration")) {
      return new Config(base, plugin.get("configuration"));
    }
    String path = plugin.path("path").asText("");
    if (path.isEmpty()) {
      throw new IllegalArgumentException("plugin " + plugin.path("name").asText()
          + " has neither configuration nor path");
    }
    Path p = base.resolve(path);
    return new Config(p.toAbsolutePath().getParent(), YAML.readTree(Files.readString(p, StandardCharsets.UTF_8)));
  }

  private static Map<String, Credentials> users(Config config) throws IOException {
    String kubeconfig = config.node().path("kubeConfigFile").asText("");
    if (kubeconfig.isEmpty()) {
      return Map.of();
    }
    Path file = Path.of(kubeconfig);
    if (!file.isAbsolute()) {
      // Upstream requires an absolute path; a relative one is taken from the configuration's directory.
      file = config.baseDir().resolve(file);
    }
    JsonNode root = YAML.readTree(Files.readString(file, StandardCharsets.UTF_8));
    Path dir = file.toAbsolutePath().getParent();
    Map<String, Credentials> out = new LinkedHashMap<>();
    for (JsonNode named : root.path("users")) {
      String name = named.path("name").asText("");
      JsonNode u = named.path("user");
      if (name.isEmpty()) {
        throw new IllegalArgumentException(file + ": a user without a name");
      }
      byte[] cert = bytes(u, "client-certificate-data", "client-certificate", dir);
      byte[] key = bytes(u, "client-key-data", "client-key", dir);
      if ((cert == null) != (key == null)) {
        throw new IllegalArgumentException(file + ": user " + name + " needs both a client certificate and a key");
      }
      String authorization = null;
      byte[] token = u.hasNonNull("token") ? u.get("token").asText().getBytes(StandardCharsets.UTF_8)
          : u.hasNonNull("tokenFile") ? Files.readAllBytes(dir.resolve(u.get("tokenFile").asText())) : null;
      if (token != null) {
        authorization = "Bearer " + new String(token, StandardCharsets.UTF_8).trim();
      } else if (u.hasNonNull("username")) {
        authorization = "Basic " + Base64.getEncoder().encodeToString((u.get("username").asText() + ":"
            + u.path("password").asText("")).getBytes(StandardCharsets.UTF_8));
      }
      out.put(name, new Credentials(name, cert, key, authorization));
    }
    return Map.copyOf(out);
  }

  private static byte[] bytes(JsonNode user, String dataField, String fileField, Path dir) throws IOException {
    if (user.hasNonNull(dataField)) {
      return Base64.getDecoder().decode(user.get(dataField).asText().trim());
    }
    if (user.hasNonNull(fileField)) {
      return Files.readAllBytes(dir.resolve(user.get(fileField).asText()));
    }
    return null;
  }
}
