package dev.hostplane.apiserver.pki;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.hostplane.apiserver.pki.internal.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/**
 * A client kubeconfig ({@code apiVersion: v1, kind: Config}) with everything embedded as base64 data, so the file
 * is self-contained. One name is used for the cluster, the user and the context, which is current.
 */
public final class Kubeconfig {
  private static final YAMLMapper YAML = YAMLMapper.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .build();

  private Kubeconfig() {}

  /** {@code https://host:port}, with IPv6 literals bracketed ({@code https://[::1]:6443}). */
  public static String serverUrl(String host, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, got " + port);
    }
    boolean ipv6 = host.indexOf(':') >= 0 && !host.startsWith("[");
    return "https://" + (ipv6 ? "[" + host + "]" : host) + ":" + port;
  }

  /** The kubeconfig document as a tree (for callers who merge or inspect it). */
  public static ObjectNode document(String name, String serverUrl, X509Certificate ca, CertifiedKey client) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("kubeconfig name must not be empty");
    }
    Base64.Encoder b64 = Base64.getEncoder();
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("apiVersion", "v1");
    root.put("kind", "Config");
    ObjectNode cluster = root.putArray("clusters").addObject();
    cluster.put("name", name);
    cluster.putObject("cluster")
        .put("server", serverUrl)
        .put("certificate-authority-data", b64.encodeToString(ascii(Pem.certificate(ca))));
    ObjectNode user = root.putArray("users").addObject();
    user.put("name", name);
    user.putObject("user")
        .put("client-certificate-data", b64.encodeToString(ascii(Pem.certificates(List.of(client.certificate())))))
        .put("client-key-data", b64.encodeToString(ascii(Pem.privateKey(client.privateKey()))));
    ObjectNode context = root.putArray("contexts").addObject();
    context.put("name", name);
    context.putObject("context").put("cluster", name).put("user", name);
    root.put("current-context", name);
    root.putObject("preferences");
    return root;
  }

  /** The document as YAML text. */
  public static String yaml(String name, String serverUrl, X509Certificate ca, CertifiedKey client) {
    try {
      return YAML.writeValueAsString(document(name, serverUrl, ca, client));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e); // a tree of strings always serialises
    }
  }

  /** Writes the kubeconfig atomically with mode 0600 (it holds a private key). Blocking. */
  public static void write(Path file, String name, String serverUrl, X509Certificate ca, CertifiedKey client)
      throws IOException {
    AtomicFiles.write(file, yaml(name, serverUrl, ca, client).getBytes(StandardCharsets.UTF_8),
        AtomicFiles.PRIVATE);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
