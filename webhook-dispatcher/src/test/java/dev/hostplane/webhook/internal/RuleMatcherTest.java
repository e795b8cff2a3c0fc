package dev.hostplane.webhook.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RuleMatcherTest {
  static Stream<Arguments> cases() {
    return Stream.of(
        // resources entry, request resource, subresource, matches
        Arguments.of("*", "pods", "", true),
        Arguments.of("*", "pods", "status", false),
        Arguments.of("pods", "pods", "", true),
        Arguments.of("pods", "pods", "exec", false),
        Arguments.of("pods/*", "pods", "exec", true),
        Arguments.of("pods/*", "pods", "", true), // upstream: a "*" subresource also matches none
        Arguments.of("pods/*", "services", "status", false),
        Arguments.of("*/scale", "deployments", "scale", true),
        Arguments.of("*/scale", "deployments", "status", false),
        Arguments.of("*/scale", "deployments", "", false),
        Arguments.of("*/*", "deployments", "", true),
        Arguments.of("*/*", "pods", "exec", true),
        Arguments.of("pods/status", "pods", "status", true),
        Arguments.of("pods/status", "pods", "exec", false));
  }

  @ParameterizedTest(name = "{0} vs {1}/{2}: {3}")
  @MethodSource("cases")
  void resources(String entry, String resource, String subresource, boolean matches) {
    Webhook.Rule rule = new Webhook.Rule(List.of("*"), List.of("*"), List.of("*"), List.of(entry), "*");
    assertEquals(matches, RuleMatcher.matches(List.of(rule), "CREATE", "", "v1", resource, subresource, true));
  }

  @ParameterizedTest(name = "scope {0}, namespaced {1}: {2}")
  @MethodSource("scopes")
  void scope(String scope, boolean namespaced, boolean matches) {
    Webhook.Rule rule = new Webhook.Rule(List.of("*"), List.of("*"), List.of("*"), List.of("*"), scope);
    assertEquals(matches, RuleMatcher.matches(List.of(rule), "CREATE", "", "v1", "x", "", namespaced));
  }

  static Stream<Arguments> scopes() {
    return Stream.of(Arguments.of("*", true, true), Arguments.of("*", false, true),
        Arguments.of("Namespaced", true, true), Arguments.of("Namespaced", false, false),
        Arguments.of("Cluster", true, false), Arguments.of("Cluster", false, true));
  }

  @ParameterizedTest(name = "ops {0}, groups {1}, versions {2}: {3}")
  @MethodSource("gvo")
  void operationsGroupsVersions(List<String> ops, List<String> groups, List<String> versions, boolean matches) {
    Webhook.Rule rule = new Webhook.Rule(ops, groups, versions, List.of("deployments"), "*");
    assertEquals(matches, RuleMatcher.matches(List.of(rule), "UPDATE", "apps", "v1", "deployments", "", true));
  }

  static Stream<Arguments> gvo() {
    return Stream.of(
        Arguments.of(List.of("UPDATE"), List.of("apps"), List.of("v1"), true),
        Arguments.of(List.of("CREATE"), List.of("apps"), List.of("v1"), false),
        Arguments.of(List.of("*"), List.of("*"), List.of("*"), true),
        Arguments.of(List.of("UPDATE"), List.of(""), List.of("v1"), false),
        Arguments.of(List.of("UPDATE"), List.of("apps"), List.of("v1beta1"), false));
  }
}
