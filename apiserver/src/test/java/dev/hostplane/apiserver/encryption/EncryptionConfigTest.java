package dev.hostplane.apiserver.encryption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.MediaType;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EncryptionConfigTest {
  static final String K32 = Base64.getEncoder().encodeToString(new byte[32]);
  static final String K16 = Base64.getEncoder().encodeToString(new byte[16]);

  static EncryptionConfig parse(String yaml) {
    return EncryptionConfig.parse(Codecs.readTree(yaml.getBytes(StandardCharsets.UTF_8), MediaType.YAML));
  }

  static String config(String resources, String providers) {
    return "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: "
        + resources + "\n  providers:\n" + providers;
  }

  @Test
  void firstEntryNamingAResourceDecidesWithUpstreamsWildcards() {
    EncryptionConfig c = parse("""
        apiVersion: apiserver.config.k8s.io/v1
        kind: EncryptionConfiguration
        resources:
        - resources: [secrets, deployments.apps]
          providers:
          - aesgcm: {keys: [{name: k1, secret: %s}]}
        - resources: ["*.apps"]
          providers:
          - secretbox: {keys: [{name: k2, secret: %s}]}
        - resources: ["*."]
          providers:
          - aescbc: {keys: [{name: k3, secret: %s}]}
        - resources: ["*.*"]
          providers:
          - identity: {}
        """.formatted(K16, K32, K32));
    assertEquals("aesgcm", c.writeProvider("", "secrets"));
    assertEquals("aesgcm", c.writeProvider("apps", "deployments"));
    assertEquals("secretbox", c.writeProvider("apps", "statefulsets"));
    assertEquals("aescbc", c.writeProvider("", "configmaps"));
    assertEquals("identity", c.writeProvider("batch", "jobs"));
  }

  @Test
  void unnamedResourcesAreStoredAsTheyAre() {
    EncryptionConfig c = parse(config("[secrets]", "  - aesgcm: {keys: [{name: k1, secret: " + K32 + "}]}\n"));
    assertEquals("identity", c.writeProvider("", "configmaps"));
  }

  @Test
  void legacyKindIsAccepted() {
    EncryptionConfig c = parse("kind: EncryptionConfig\napiVersion: v1\nresources:\n- resources: [secrets]\n"
        + "  providers:\n  - secretbox: {keys: [{name: k, secret: " + K32 + "}]}\n");
    assertEquals("secretbox", c.writeProvider("", "secrets"));
  }

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        Arguments.of(config("[secrets]", "  - kms: {name: vault, endpoint: unix:///kms.sock}\n"),
            "resources[0].providers[0].kms: Unsupported value: KMS providers are not supported"),
        Arguments.of(config("[secrets]", "  - aesgcm: {keys: [{name: k, secret: "
            + Base64.getEncoder().encodeToString(new byte[10]) + "}]}\n"),
            "resources[0].providers[0].aesgcm.keys[0].secret: Invalid value: \"REDACTED\": secret is not of the "
                + "expected length, got 10, expected one of [16 24 32]"),
        Arguments.of(config("[secrets]", "  - secretbox: {keys: [{name: k, secret: " + K16 + "}]}\n"),
            "expected one of [32]"),
        Arguments.of(config("[secrets]", "  - aescbc: {keys: [{name: k, secret: '%%%'}]}\n"),
            "secrets must be base64 encoded"),
        Arguments.of(config("[secrets]", "  - aesgcm: {keys: []}\n"),
            "resources[0].providers[0].aesgcm.keys: Required value"),
        Arguments.of(config("[secrets]", "  - aesgcm: {keys: [{name: k, secret: " + K32 + "}, {name: k, secret: "
            + K32 + "}]}\n"), "keys[1].name: Duplicate value: \"k\""),
        Arguments.of(config("[secrets]", "  - aesgcm: {keys: [{name: k, secret: " + K32 + "}]}\n    identity: {}\n"),
            "more than one provider specified in a single element"),
        Arguments.of(config("[secrets]", "  - rot13: {}\n"), "provider does not contain any of the expected"),
        Arguments.of(config("[secrets]", ""), "resources[0].providers: Required value"),
        Arguments.of(config("['*']", "  - identity: {}\n"), "use '*.' to encrypt all the resources"),
        Arguments.of(config("['*.*', secrets]", "  - identity: {}\n"),
            "resource \"secrets\" is masked by earlier rule \"*.*\""),
        Arguments.of("apiVersion: v1\nkind: ConfigMap\n", "no kind \"ConfigMap\" is registered"));
  }

  @ParameterizedTest
  @MethodSource("badConfigs")
  void badConfigurationsFailWithAClearMessage(String yaml, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(yaml));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void aBadFileFailsStartUpNamingTheFlagAndTheProblem(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path file = dir.resolve("enc.yaml");
    java.nio.file.Files.writeString(file, config("[secrets]", "  - kms: {name: vault}\n"));
    dev.hostplane.apiserver.config.Flags.FlagException e = assertThrows(
        dev.hostplane.apiserver.config.Flags.FlagException.class,
        () -> dev.hostplane.apiserver.testing.TestApiServer.config(dir, "--encryption-provider-config=" + file));
    assertTrue(e.getMessage().startsWith("--encryption-provider-config: " + file + ": resources[0].providers[0].kms: "
        + "Unsupported value: KMS providers are not supported"), e.getMessage());
    dev.hostplane.apiserver.config.Flags.FlagException missing = assertThrows(
        dev.hostplane.apiserver.config.Flags.FlagException.class,
        () -> dev.hostplane.apiserver.testing.TestApiServer.config(dir,
            "--encryption-provider-config=" + dir.resolve("absent.yaml")));
    assertTrue(missing.getMessage().startsWith("--encryption-provider-config: failed to read "),
        missing.getMessage());
  }
}
