package dev.hostplane.apiserver.encryption;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.MediaType;
import dev.hostplane.apiserver.encryption.internal.AesCbcEnvelope;
import dev.hostplane.apiserver.encryption.internal.AesGcmEnvelope;
import dev.hostplane.apiserver.encryption.internal.Envelope;
import dev.hostplane.apiserver.encryption.internal.IdentityEnvelope;
import dev.hostplane.apiserver.encryption.internal.PrefixTransformer;
import dev.hostplane.apiserver.encryption.internal.SecretboxEnvelope;
import dev.hostplane.apiserver.encryption.internal.ValueTransformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code --encryption-provider-config}: an {@code apiserver.config.k8s.io/v1 EncryptionConfiguration} (YAML or
 * JSON; the legacy {@code v1 EncryptionConfig} too). Each entry names resources ({@code secrets},
 * {@code deployments.apps}, {@code *.apps} for a whole group, {@code *.} for the core group, {@code *.*} for all)
 * and an ordered list of providers ({@code aesgcm}, {@code aescbc}, {@code secretbox}, {@code identity}); the first
 * entry naming a resource is the one used. Immutable once loaded.
 */
public final class EncryptionConfig {
  private static final List<Integer> AES_SIZES = List.of(16, 24, 32);
  private static final List<Integer> SECRETBOX_SIZES = List.of(32);
  private static final ValueTransformer UNMATCHED = new PrefixTransformer(List.of(IdentityEnvelope.INSTANCE));

  private record Entry(List<String> resources, PrefixTransformer transformer) {}

  private final List<Entry> entries;

  private EncryptionConfig(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Reads and validates {@code file}; every problem is an {@link IllegalArgumentException} with a clear message. */
  public static EncryptionConfig load(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    JsonNode doc;
    try {
      doc = Codecs.readTree(bytes, MediaType.YAML);
    } catch (ApiException e) {
      throw new IllegalArgumentException("error while parsing file: " + e.status().message());
    }
    return parse(doc);
  }

  static EncryptionConfig parse(JsonNode doc) {
    if (doc == null || !doc.isObject()) {
      throw new IllegalArgumentException("error while parsing file: not an object");
    }
    String kind = doc.path("kind").asText("");
    String apiVersion = doc.path("apiVersion").asText("");
    boolean current = kind.equals("EncryptionConfiguration") && apiVersion.equals("apiserver.config.k8s.io/v1");
    boolean legacy = kind.equals("EncryptionConfig") && apiVersion.equals("v1");
    if (!current && !legacy) {
      throw new IllegalArgumentException("error while parsing file: no kind \"" + kind + "\" is registered for "
          + "version \"" + apiVersion + "\" (expected apiserver.config.k8s.io/v1, Kind=EncryptionConfiguration)");
    }
    JsonNode resources = doc.path("resources");
    if (!resources.isArray() || resources.isEmpty()) {
      throw new IllegalArgumentException("resources: Required value: EncryptionConfiguration.Resources must "
          + "contain at least one resource");
    }
    List<Entry> entries = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < resources.size(); i++) {
      JsonNode r = resources.get(i);
      String at = "resources[" + i + "]";
      JsonNode names = r.path("resources");
      if (!names.isArray() || names.isEmpty()) {
        throw new IllegalArgumentException(at + ".resources: Required value: resources is a required field");
      }
      List<String> list = new ArrayList<>();
      for (int j = 0; j < names.size(); j++) {
        String name = names.get(j).asText("");
        String field = at + ".resources[" + j + "]";
        checkResource(field, name);
        for (String earlier : seen) {
          if (earlier.equals(name)) {
            throw new IllegalArgumentException(field + ": Duplicate value: \"" + name + "\"");
          }
          if (masks(earlier, name)) {
            throw new IllegalArgumentException(field + ": Invalid value: \"" + name + "\": resource \"" + name
                + "\" is masked by earlier rule \"" + earlier + "\"");
          }
        }
        seen.add(name);
        list.add(name);
      }
      JsonNode providers = r.path("providers");
      if (!providers.isArray() || providers.isEmpty()) {
        throw new IllegalArgumentException(at + ".providers: Required value: providers is a required field");
      }
      List<Envelope> envelopes = new ArrayList<>();
      for (int p = 0; p < providers.size(); p++) {
        envelopes.addAll(provider(at + ".providers[" + p + "]", providers.get(p)));
      }
      entries.add(new Entry(list, new PrefixTransformer(envelopes)));
    }
    return new EncryptionConfig(entries);
  }

  /**
   * The transformer for a resource of a group ("" for core), or one that writes plaintext and refuses to read
   * encrypted data when no entry names it.
   */
  public ValueTransformer transformer(String group, String resource) {
    for (Entry e : entries) {
      for (String name : e.resources()) {
        if (matches(name, group, resource)) {
          return e.transformer();
        }
      }
    }
    return UNMATCHED;
  }

  /** The provider that encrypts writes of a resource ("identity" when none), for logs and tests. */
  public String writeProvider(String group, String resource) {
    ValueTransformer t = transformer(group, resource);
    return t instanceof PrefixTransformer p ? p.writer().provider() : "identity";
  }

  static boolean matches(String name, String group, String resource) {
    if (name.equals("*.*")) {
      return true;
    }
    int dot = name.indexOf('.');
    String r = dot < 0 ? name : name.substring(0, dot);
    String g = dot < 0 ? "" : name.substring(dot + 1);
    return g.equals(group) && (r.equals("*") || r.equals(resource));
  }

  private static boolean masks(String earlier, String later) {
    if (earlier.equals("*.*")) {
      return true;
    }
    if (!earlier.startsWith("*.")) {
      return false;
    }
    String group = earlier.substring(2);
    int dot = later.indexOf('.');
    String laterGroup = dot < 0 ? "" : later.substring(dot + 1);
    return laterGroup.equals(group);
  }

  private static void checkResource(String field, String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException(field + ": Required value: resource name missing");
    }
    if (name.equals("*")) {
      throw new IllegalArgumentException(field + ": Invalid value: \"*\": use '*.' to encrypt all the resources "
          + "from core API group or *.* to encrypt all resources");
    }
    if (!name.equals(name.toLowerCase(java.util.Locale.ROOT))) {
      throw new IllegalArgumentException(field + ": Invalid value: \"" + name + "\": resource name must be "
          + "lowercase");
    }
    int star = name.indexOf('*');
    if (star > 0 || (star == 0 && !name.startsWith("*."))) {
      throw new IllegalArgumentException(field + ": Invalid value: \"" + name + "\": wildcards are only "
          + "allowed as '*.<group>', '*.' or '*.*'");
    }
  }

  private static List<Envelope> provider(String at, JsonNode p) {
    List<String> kinds = new ArrayList<>();
    p.fieldNames().forEachRemaining(kinds::add);
    if (kinds.size() != 1) {
      throw new IllegalArgumentException(at + ": Invalid value: " + kinds + ": "
          + (kinds.isEmpty() ? "provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, "
              + "Secretbox, Identity"
              : "more than one provider specified in a single element, should split into different list "
                  + "elements"));
    }
    String kind = kinds.get(0);
    JsonNode body = p.get(kind);
    return switch (kind) {
      case "identity" -> List.of(IdentityEnvelope.INSTANCE);
      case "aesgcm", "aescbc", "secretbox" -> keys(at + "." + kind, kind, body);
      case "kms" -> throw new IllegalArgumentException(at + ".kms: Unsupported value: KMS providers are not "
          + "supported by this apiserver; use aesgcm, aescbc or secretbox");
      default -> throw new IllegalArgumentException(at + ": Invalid value: \"" + kind + "\": provider does not "
          + "contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity");
    };
  }

  private static List<Envelope> keys(String at, String kind, JsonNode body) {
    JsonNode keys = body == null ? null : body.path("keys");
    if (keys == null || !keys.isArray() || keys.isEmpty()) {
      throw new IllegalArgumentException(at + ".keys: Required value: keys is a required field");
    }
    List<Integer> sizes = kind.equals("secretbox") ? SECRETBOX_SIZES : AES_SIZES;
    List<Envelope> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int k = 0; k < keys.size(); k++) {
      String field = at + ".keys[" + k + "]";
      String name = keys.get(k).path("name").asText("");
      String secret = keys.get(k).path("secret").asText("");
      if (name.isEmpty()) {
        throw new IllegalArgumentException(field + ".name: Required value: key name is required");
      }
      if (name.contains(":")) {
        throw new IllegalArgumentException(field + ".name: Invalid value: \"" + name + "\": key name must not "
            + "contain ':'");
      }
      if (!names.add(name)) {
        throw new IllegalArgumentException(field + ".name: Duplicate value: \"" + name + "\"");
      }
      if (secret.isEmpty()) {
        throw new IllegalArgumentException(field + ".secret: Required value: secret is required");
      }
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(secret);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(field + ".secret: Invalid value: \"REDACTED\": secrets must be base64 "
            + "encoded");
      }
      if (!sizes.contains(bytes.length)) {
        throw new IllegalArgumentException(field + ".secret: Invalid value: \"REDACTED\": secret is not of the "
            + "expected length, got " + bytes.length + ", expected one of "
            + sizes.toString().replace(",", ""));
      }
      out.add(switch (kind) {
        case "aesgcm" -> new AesGcmEnvelope(name, bytes);
        case "aescbc" -> new AesCbcEnvelope(name, bytes);
        default -> new SecretboxEnvelope(name, bytes);
      });
    }
    return out;
  }
}
