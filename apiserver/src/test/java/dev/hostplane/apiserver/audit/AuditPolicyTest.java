package dev.hostplane.apiserver.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.MediaType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AuditPolicyTest {
  static final AuditPolicy POLICY = parse("""
      apiVersion: audit.k8s.io/v1
      kind: Policy
      omitStages: [RequestReceived]
      omitManagedFields: true
      rules:
      - level: None
        users: ["system:kube-proxy"]
        verbs: [watch]
      - level: None
        userGroups: ["system:nodes"]
        nonResourceURLs: ["/healthz*", /version]
      - level: RequestResponse
        resources:
        - group: ""
          resources: [secrets]
          resourceNames: [special]
        omitManagedFields: false
      - level: Request
        resources:
        - group: ""
          resources: ["pods/log", "*/status"]
      - level: Metadata
        resources:
        - group: apps
          resources: ["deployments/*"]
        omitStages: [ResponseStarted]
      - level: Request
        namespaces: [kube-system]
      - level: Metadata
        resources:
        - group: batch
      - level: Metadata
        nonResourceURLs: ["/metrics"]
      - level: Request
        verbs: [create, update]
        resources:
        - group: ""
          resources: ["*"]
      """);

  static AuditPolicy parse(String yaml) {
    return AuditPolicy.parse(Codecs.readTree(yaml.getBytes(StandardCharsets.UTF_8), MediaType.YAML));
  }

  static AuditPolicy.Attributes res(String user, String group, String verb, String apiGroup, String resource,
      String sub, String ns, String name) {
    return new AuditPolicy.Attributes(user, List.of(group), verb, true, apiGroup, resource, sub, ns, name, "");
  }

  static AuditPolicy.Attributes path(String user, String group, String path) {
    return new AuditPolicy.Attributes(user, List.of(group), "get", false, "", "", "", "", "", path);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("user+verb None", res("system:kube-proxy", "g", "watch", "", "endpoints", "", "", ""),
            Level.None),
        Arguments.of("same user, other verb falls through",
            res("system:kube-proxy", "g", "get", "", "pods", "status", "default", "p"), Level.Request),
        Arguments.of("group + non-resource prefix", path("kubelet", "system:nodes", "/healthz/etcd"), Level.None),
        Arguments.of("non-resource exact", path("kubelet", "system:nodes", "/version"), Level.None),
        Arguments.of("non-resource for another group", path("alice", "devs", "/version"), Level.None),
        Arguments.of("non-resource URL rule", path("alice", "devs", "/metrics"), Level.Metadata),
        Arguments.of("resourceNames match", res("alice", "devs", "get", "", "secrets", "", "default", "special"),
            Level.RequestResponse),
        Arguments.of("resourceNames miss", res("alice", "devs", "get", "", "secrets", "", "default", "other"),
            Level.None),
        Arguments.of("resource/subresource", res("alice", "devs", "get", "", "pods", "log", "default", "p"),
            Level.Request),
        Arguments.of("*/subresource", res("alice", "devs", "update", "", "services", "status", "default", "s"),
            Level.Request),
        Arguments.of("resource/* matches the resource", res("alice", "devs", "get", "apps", "deployments", "",
            "default", "d"), Level.Metadata),
        Arguments.of("resource/* matches a subresource", res("alice", "devs", "get", "apps", "deployments",
            "scale", "default", "d"), Level.Metadata),
        Arguments.of("group mismatch", res("alice", "devs", "get", "extensions", "deployments", "", "default",
            "d"), Level.None),
        Arguments.of("namespaces", res("alice", "devs", "list", "", "configmaps", "", "kube-system", ""),
            Level.Request),
        Arguments.of("whole group", res("alice", "devs", "delete", "batch", "jobs", "", "default", "j"),
            Level.Metadata),
        Arguments.of("* with verbs", res("alice", "devs", "create", "", "configmaps", "", "default", ""),
            Level.Request),
        Arguments.of("* with other verb", res("alice", "devs", "get", "", "configmaps", "", "default", "c"),
            Level.None),
        Arguments.of("resource rule never matches a path", path("alice", "devs", "/api/v1"), Level.None));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void firstMatchingRuleDecidesTheLevel(String name, AuditPolicy.Attributes a, Level level) {
    assertEquals(level, POLICY.evaluate(a).level());
  }

  @Test
  void omitStagesAndManagedFieldsCombineRuleAndPolicy() {
    AuditPolicy.Decision d = POLICY.evaluate(res("a", "g", "get", "apps", "deployments", "", "ns", "d"));
    assertEquals(Set.of(Stage.RequestReceived, Stage.ResponseStarted), d.omitStages());
    assertTrue(d.omitManagedFields());
    AuditPolicy.Decision special = POLICY.evaluate(res("a", "g", "get", "", "secrets", "", "ns", "special"));
    assertEquals(Set.of(Stage.RequestReceived), special.omitStages());
    assertEquals(false, special.omitManagedFields());
  }

  static Stream<Arguments> badPolicies() {
    String head = "apiVersion: audit.k8s.io/v1\nkind: Policy\n";
    return Stream.of(
        Arguments.of(head + "rules: []\n", "loaded illegal policy with 0 rules"),
        Arguments.of(head + "rules:\n- level: Everything\n", "rules[0].level: Unsupported value: \"Everything\""),
        Arguments.of(head + "rules:\n- users: [a]\n", "rules[0].level: Required value"),
        Arguments.of(head + "rules:\n- level: Metadata\n  omitStages: [Done]\n",
            "rules[0].omitStages: Unsupported value: \"Done\""),
        Arguments.of(head + "rules:\n- level: Metadata\n  nonResourceURLs: [/x]\n  namespaces: [a]\n",
            "rules cannot apply to both regular resources and non-resource URLs"),
        Arguments.of(head + "rules:\n- level: Metadata\n  nonResourceURLs: [/a*b]\n", "only allowed at the end"),
        Arguments.of(head + "rules:\n- level: Metadata\n  resources:\n  - resources: ['*']\n"
            + "    resourceNames: [x]\n", "using resource names with wildcard resources is not supported"),
        Arguments.of("apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules:\n- level: None\n",
            "no kind \"Policy\" is registered for version \"audit.k8s.io/v1beta1\""));
  }

  @ParameterizedTest
  @MethodSource("badPolicies")
  void badPoliciesFailWithAClearMessage(String yaml, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(yaml));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void jsonPoliciesAreRead() {
    AuditPolicy p = AuditPolicy.parse(Codecs.readTree(("{\"apiVersion\":\"audit.k8s.io/v1\",\"kind\":\"Policy\","
        + "\"rules\":[{\"level\":\"Metadata\"}]}").getBytes(StandardCharsets.UTF_8), MediaType.JSON));
    assertEquals(Level.Metadata, p.evaluate(path("a", "g", "/x")).level());
  }
}
