package dev.hostplane.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.hostplane.apiserver.pki.Pem;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * How to reach and authenticate to one apiserver, read from a kubeconfig's current context as kubectl reads it:
 * the cluster's {@code server}, {@code certificate-authority(-data)}, {@code insecure-skip-tls-verify} and
 * {@code tls-server-name}; the user's {@code client-certificate(-data)} + {@code client-key(-data)} (PKCS#8,
 * PKCS#1 or SEC1 PEM) and/or {@code token} / {@code tokenFile}. Relative file names are resolved against the
 * kubeconfig's directory. Exec and auth-provider plugins are not supported.
 *
 * @param server the server URL, https only; its path (if any) prefixes every request path
 * @param tlsServerName the name to verify the serving certificate against (and send as SNI)
 * @param trustedCas the CAs to trust; empty means the JDK's default trust store
 * @param clientChain the client certificate chain, empty for none
 * @param clientKey the client key, null when there is no client certificate
 * @param bearerToken the bearer token, null for none
 */
public record ClientConfig(
    URI server,
    String tlsServerName,
    List<X509Certificate> trustedCas,
    boolean insecureSkipTlsVerify,
    List<X509Certificate> clientChain,
    PrivateKey clientKey,
    String bearerToken) {

  private static final YAMLMapper YAML = new YAMLMapper();

  public ClientConfig {
    trustedCas = List.copyOf(trustedCas);
    clientChain = List.copyOf(clientChain);
    if (clientChain.isEmpty() != (clientKey == null)) {
      throw new IllegalArgumentException("a client certificate needs its key and a key its certificate");
    }
  }

  public String host() {
    String h = server.getHost();
    return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
  }

  public int port() {
    return server.getPort() < 0 ? 443 : server.getPort();
  }

  /** The server URL's path without a trailing slash ("" for none), to prefix request paths with. */
  public String pathPrefix() {
    String p = server.getRawPath();
    return p == null || p.equals("/") ? "" : p.replaceAll("/+$", "");
  }

  /**
   * The kubeconfig kubectl would use: the first existing file of {@code $KUBECONFIG} (a path list), else
   * {@code ~/.kube/config}.
   */
  public static Path defaultPath(Map<String, String> env, String userHome) {
    String list = env.get("KUBECONFIG");
    if (list != null && !list.isBlank()) {
      String[] files = list.split(java.io.File.pathSeparator);
      for (String f : files) {
        if (!f.isBlank() && Files.exists(Path.of(f))) {
          return Path.of(f);
        }
      }
      return Path.of(files[0]);
    }
    return Path.of(userHome, ".kube", "config");
  }

  /**
   * Reads {@code file}'s current context. Blocking. Failures: IOException when a file cannot be read,
   * IllegalArgumentException naming the missing or malformed entry.
   */
  public static ClientConfig load(Path file) throws IOException {
    JsonNode root;
    try {
      root = YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new IOException("cannot read kubeconfig " + file + ": " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(file + ": not a kubeconfig (expected a YAML mapping)");
    }
    Path dir = file.toAbsolutePath().getParent();
    String contextName = root.path("current-context").asText("");
    if (contextName.isEmpty()) {
      throw new IllegalArgumentException(file + ": current-context is not set");
    }
    JsonNode context = named(root, "contexts", contextName, "context", file);
    String clusterName = context.path("cluster").asText("");
    JsonNode cluster = named(root, "clusters", clusterName, "cluster", file);
    String userName = context.path("user").asText("");
    JsonNode user = userName.isEmpty() ? YAML.createObjectNode()
        : named(root, "users", userName, "user", file);
    if (user.has("exec") || user.has("auth-provider")) {
      throw new IllegalArgumentException(file + ": user \"" + userName
          + "\" uses an exec or auth-provider plugin, which bench does not support");
    }

    URI server = serverUri(cluster.path("server").asText(""), clusterName, file);
    String serverName = cluster.path("tls-server-name").asText("");
    List<X509Certificate> cas = List.of();
    String caPem = pem(cluster, "certificate-authority-data", "certificate-authority", dir);
    if (caPem != null) {
      cas = Pem.parseCertificates(caPem);
    }
    List<X509Certificate> chain = List.of();
    PrivateKey key = null;
    String certPem = pem(user, "client-certificate-data", "client-certificate", dir);
    String keyPem = pem(user, "client-key-data", "client-key", dir);
    if ((certPem == null) != (keyPem == null)) {
      throw new IllegalArgumentException(file + ": user \"" + userName
          + "\" has a client certificate without a key or a key without a certificate");
    }
    if (certPem != null) {
      chain = Pem.parseCertificates(certPem);
      key = Pem.parsePrivateKey(keyPem);
    }
    String token = user.path("token").asText("");
    if (token.isEmpty() && user.hasNonNull("tokenFile")) {
      token = Files.readString(dir.resolve(user.get("tokenFile").asText()), StandardCharsets.UTF_8).trim();
    }
    return new ClientConfig(server, serverName.isEmpty() ? hostOf(server) : serverName, cas,
        cluster.path("insecure-skip-tls-verify").asBoolean(false), chain, key, token.isEmpty() ? null : token);
  }

  private static JsonNode named(JsonNode root, String list, String name, String field, Path file) {
    for (JsonNode entry : root.path(list)) {
      if (name.equals(entry.path("name").asText(null))) {
        JsonNode value = entry.path(field);
        if (!value.isObject()) {
          throw new IllegalArgumentException(file + ": " + list + " entry \"" + name + "\" has no " + field);
        }
        return value;
      }
    }
    throw new IllegalArgumentException(file + ": no entry named \"" + name + "\" in " + list);
  }

  /** The PEM text of {@code dataField} (base64) or else of the file {@code fileField} names; null if neither. */
  private static String pem(JsonNode node, String dataField, String fileField, Path dir) throws IOException {
    String data = node.path(dataField).asText("");
    if (!data.isEmpty()) {
      try {
        return new String(Base64.getMimeDecoder().decode(data), StandardCharsets.US_ASCII);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(dataField + " is not valid base64: " + e.getMessage(), e);
      }
    }
    String name = node.path(fileField).asText("");
    return name.isEmpty() ? null : Files.readString(dir.resolve(name), StandardCharsets.US_ASCII);
  }

  private static URI serverUri(String server, String cluster, Path file) {
    if (server.isEmpty()) {
      throw new IllegalArgumentException(file + ": cluster \"" + cluster + "\" has no server");
    }
    try {
      URI uri = new URI(server);
      if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException(file + ": server " + server
            + " is not an https://host[:port] URL (bench speaks HTTP/2 over TLS only)");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(file + ": invalid server URL " + server + ": " + e.getMessage(), e);
    }
  }

  private static String hostOf(URI uri) {
    String h = uri.getHost();
    return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
  }
}
