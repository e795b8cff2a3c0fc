package dev.hostplane.konnectivity.client;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code EgressSelectorConfiguration} file ({@code --egress-selector-config-file}), apiVersion
 * {@code apiserver.k8s.io/v1beta1} or {@code v1}, YAML or JSON, validated as upstream does, with one extension:
 * {@code GRPC} is allowed over TCP with mutual TLS as well as over a Unix domain socket.
 */
public record EgressSelectorConfiguration(List<Selection> selections) {
  public static final String KIND = "EgressSelectorConfiguration";
  public static final List<String> API_VERSIONS = List.of("apiserver.k8s.io/v1beta1", "apiserver.k8s.io/v1");
  public static final List<String> NAMES = List.of("cluster", "controlplane", "etcd");

  public EgressSelectorConfiguration {
    selections = List.copyOf(selections);
  }

  /** Upstream's {@code proxyProtocol} values. */
  public enum Protocol { GRPC, HTTPConnect, Direct }

  /** One {@code egressSelections[]} entry; {@code uds} or {@code tcp} set unless Direct. */
  public record Selection(String name, Protocol protocol, String udsName, Tcp tcp) {}

  /** {@code transport.tcp}: {@code url} and its {@code tlsConfig} (null for http://). */
  public record Tcp(String url, Tls tls) {}

  /** {@code tlsConfig}: PEM file paths; {@code caBundle} may be empty (system roots). */
  public record Tls(String caBundle, String clientKey, String clientCert) {}

  /** The selection named {@code name}, or null. */
  public Selection selection(String name) {
    return selections.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
  }

  /** Thrown for a file that cannot be read, parsed or validated; the message lists every problem. */
  public static final class InvalidException extends IllegalArgumentException {
    private final List<String> errors;

    InvalidException(String file, List<String> errors) {
      super("invalid egress selector configuration " + file + ": " + String.join(", ", errors));
      this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
      return errors;
    }
  }

  public static EgressSelectorConfiguration load(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new InvalidException(file.toString(), List.of("failed to read: " + e.getMessage()));
    }
    return parse(file.toString(), bytes);
  }

  /** Parses YAML or JSON (JSON being YAML). {@code source} names the input in errors. */
  public static EgressSelectorConfiguration parse(String source, byte[] bytes) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(bytes);
    } catch (JacksonException e) {
      throw new InvalidException(source, List.of("failed to parse: " + e.getOriginalMessage()));
    } catch (IOException e) {
      throw new InvalidException(source, List.of("failed to read: " + e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new InvalidException(source, List.of("expected an object of kind " + KIND));
    }
    String apiVersion = root.path("apiVersion").asText("");
    String kind = root.path("kind").asText("");
    if (!KIND.equals(kind) || !API_VERSIONS.contains(apiVersion)) {
      throw new InvalidException(source, List.of("no kind \"" + kind + "\" is registered for version \""
          + apiVersion + "\" (want " + KIND + " in " + String.join(" or ", API_VERSIONS) + ")"));
    }
    List<String> errors = new ArrayList<>();
    List<Selection> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    JsonNode list = root.path("egressSelections");
    if (!list.isMissingNode() && !list.isNull() && !list.isArray()) {
      errors.add("egressSelections: Invalid value: must be a list");
    }
    int i = 0;
    for (JsonNode item : list.isArray() ? list : List.<JsonNode>of()) {
      String base = "egressSelections[" + i++ + "]";
      Selection s = selection(base, item, apiVersion, errors);
      if (s == null) {
        continue;
      }
      if (!seen.add(s.name())) {
        errors.add(base + ".name: Duplicate value: \"" + s.name() + "\"");
        continue;
      }
      out.add(s);
    }
    if (!errors.isEmpty()) {
      throw new InvalidException(source, errors);
    }
    return new EgressSelectorConfiguration(out);
  }

  private static Selection selection(String base, JsonNode item, String apiVersion, List<String> errors) {
    String name = item.path("name").asText("");
    if (name.equals("master") && apiVersion.endsWith("v1beta1")) {
      name = "controlplane"; // v1beta1's old name for it
    }
    int before = errors.size();
    if (name.isEmpty()) {
      errors.add(base + ".name: Required value: must be one of " + String.join(", ", NAMES));
    } else if (!NAMES.contains(name)) {
      errors.add(base + ".name: Unsupported value: \"" + name + "\": supported values: \"cluster\", "
          + "\"controlplane\", \"etcd\"");
    }
    String conn = base + ".connection";
    JsonNode c = item.path("connection");
    String proto = c.path("proxyProtocol").asText("");
    Protocol protocol = null;
    for (Protocol p : Protocol.values()) {
      if (p.name().equalsIgnoreCase(proto)) {
        protocol = p;
      }
    }
    if (protocol == null) {
      errors.add(conn + ".proxyProtocol: Unsupported value: \"" + proto + "\": supported values: \"Direct\", "
          + "\"GRPC\", \"HTTPConnect\"");
      return null;
    }
    JsonNode t = c.path("transport");
    boolean hasTransport = t.isObject();
    JsonNode uds = t.path("uds");
    JsonNode tcp = t.path("tcp");
    String tr = conn + ".transport";
    if (protocol == Protocol.Direct) {
      if (hasTransport) {
        errors.add(tr + ": Invalid value: \"direct\": Transport config should be absent for direct connect");
      }
      return errors.size() == before ? new Selection(name, protocol, null, null) : null;
    }
    if (!hasTransport) {
      errors.add(tr + ": Required value: transport must be set for " + protocol);
      return null;
    }
    boolean hasUds = uds.isObject();
    boolean hasTcp = tcp.isObject();
    if (hasUds && hasTcp) {
      errors.add(tr + ": Invalid value: TCP and UDS cannot both be set");
      return null;
    }
    if (!hasUds && !hasTcp) {
      errors.add(tr + ": Required value: one of TCP or UDS must be set");
      return null;
    }
    if (hasUds) {
      String udsName = uds.path("udsName").asText("");
      if (udsName.isEmpty()) {
        errors.add(tr + ".uds.udsName: Required value: UDSName should be present");
      }
      return errors.size() == before ? new Selection(name, protocol, udsName, null) : null;
    }
    Tcp parsed = tcp(tr + ".tcp", tcp, protocol, errors);
    return errors.size() == before ? new Selection(name, protocol, null, parsed) : null;
  }

  private static Tcp tcp(String path, JsonNode tcp, Protocol protocol, List<String> errors) {
    String url = tcp.path("url").asText("");
    JsonNode tlsNode = tcp.path("tlsConfig");
    if (url.isEmpty()) {
      errors.add(path + ".url: Required value: URL should be present");
      return null;
    }
    if (url.startsWith("http://")) {
      if (protocol == Protocol.GRPC) {
        errors.add(path + ".url: Invalid value: \"" + url + "\": GRPC over TCP needs https:// and mutual TLS");
      }
      if (tlsNode.isObject()) {
        errors.add(path + ".tlsConfig: Invalid value: TLSConfig config should not be present when using HTTP");
      }
      return new Tcp(url, null);
    }
    if (!url.startsWith("https://")) {
      errors.add(path + ".url: Invalid value: \"" + url + "\": supported connection protocols are http:// and "
          + "https://");
      return null;
    }
    if (!tlsNode.isObject()) {
      errors.add(path + ".tlsConfig: Required value: TLSConfig config should be present for " + protocol
          + " via https");
      return null;
    }
    String tls = path + ".tlsConfig";
    String ca = tlsNode.path("caBundle").asText("");
    String key = tlsNode.path("clientKey").asText("");
    String cert = tlsNode.path("clientCert").asText("");
    if (key.isEmpty()) {
      errors.add(tls + ".clientKey: Required value: Using TLS requires clientKey");
    } else if (!Files.exists(Path.of(key))) {
      errors.add(tls + ".clientKey: Invalid value: \"" + key + "\": absent file");
    }
    if (cert.isEmpty()) {
      errors.add(tls + ".clientCert: Required value: Using TLS requires clientCert");
    } else if (!Files.exists(Path.of(cert))) {
      errors.add(tls + ".clientCert: Invalid value: \"" + cert + "\": absent file");
    }
    if (!ca.isEmpty() && !Files.exists(Path.of(ca))) {
      errors.add(tls + ".caBundle: Invalid value: \"" + ca + "\": absent file");
    }
    return new Tcp(url, new Tls(ca, key, cert));
  }
}
