package dev.hostplane.apiserver.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hostplane.apiserver.filter.RequestInfo;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyRuleTest {
  static PolicyRule rule(String verbs, String groups, String resources, String names) {
    return new PolicyRule(split(verbs), split(groups), split(resources), split(names), List.of());
  }

  static PolicyRule urls(String verbs, String urls) {
    return new PolicyRule(split(verbs), List.of(), List.of(), List.of(), split(urls));
  }

  static List<String> split(String s) {
    return s == null ? List.of() : List.of(s.split(",", -1));
  }

  static RequestInfo resource(String verb, String group, String resource, String sub, String name) {
    return new RequestInfo(true, "", verb, "apis", group, "v1", "ns", resource, sub, name, List.of());
  }

  static RequestInfo path(String verb, String path) {
    return new RequestInfo(false, path, verb, "", "", "", "", "", "", "", List.of());
  }

  static Stream<Object[]> allows() {
    return Stream.of(
        new Object[] {rule("get", "", "pods", null), resource("get", "", "pods", "", "x"), true},
        new Object[] {rule("get", "", "pods", null), resource("list", "", "pods", "", ""), false},
        new Object[] {rule("get", "", "pods", null), resource("get", "apps", "pods", "", "x"), false},
        new Object[] {rule("get", "", "pods", null), resource("get", "", "pods", "log", "x"), false},
        new Object[] {rule("*", "*", "*", null), resource("escalate", "x.io", "things", "status", "y"), true},
        new Object[] {rule("get", "", "pods/log", null), resource("get", "", "pods", "log", "x"), true},
        new Object[] {rule("get", "*", "*/scale", null), resource("get", "apps", "deployments", "scale", "d"), true},
        new Object[] {rule("get", "*", "*/scale", null), resource("get", "apps", "deployments", "", "d"), false},
        new Object[] {rule("get", "", "secrets", "a,b"), resource("get", "", "secrets", "", "b"), true},
        new Object[] {rule("get", "", "secrets", "a,b"), resource("get", "", "secrets", "", "c"), false},
        new Object[] {rule("list", "", "secrets", "a"), resource("list", "", "secrets", "", ""), false},
        new Object[] {urls("get", "/healthz"), path("get", "/healthz"), true},
        new Object[] {urls("get", "/healthz"), path("get", "/healthz/ping"), false},
        new Object[] {urls("get", "/healthz/*"), path("get", "/healthz/ping"), true},
        new Object[] {urls("get", "/apis/*"), path("get", "/apis"), false},
        new Object[] {urls("*", "*"), path("delete", "/anything"), true},
        new Object[] {urls("get", "/version"), path("post", "/version"), false},
        new Object[] {rule("get", "", "pods", null), path("get", "/pods"), false});
  }

  @ParameterizedTest
  @MethodSource
  void allows(PolicyRule rule, RequestInfo request, boolean expected) {
    assertEquals(expected, rule.allows(request));
  }

  static Stream<Object[]> covers() {
    return Stream.of(
        new Object[] {rule("*", "*", "*", null), rule("get", "x", "y", "z"), true},
        new Object[] {rule("get,list", "", "pods", null), rule("get", "", "pods", null), true},
        new Object[] {rule("get", "", "pods", null), rule("get,list", "", "pods", null), false},
        new Object[] {rule("get", "", "*/status", null), rule("get", "", "pods/status", null), true},
        new Object[] {rule("get", "", "pods", "a"), rule("get", "", "pods", null), false},
        new Object[] {rule("get", "", "pods", "a"), rule("get", "", "pods", "a"), true},
        new Object[] {rule("get", "", "pods", null), rule("get", "", "pods", "a"), true},
        new Object[] {urls("get", "/logs/*"), urls("get", "/logs/x"), true},
        new Object[] {urls("get", "/logs"), urls("get", "/logs/x"), false});
  }

  @ParameterizedTest
  @MethodSource
  void covers(PolicyRule owner, PolicyRule wanted, boolean expected) {
    assertEquals(expected, owner.covers(wanted));
  }

  @Test
  void compactStringIsUpstreams() {
    assertEquals("{APIGroups:[\"\" \"apps\"], Resources:[\"pods\"], ResourceNames:[\"a\"], Verbs:[\"get\"]}",
        rule("get", ",apps", "pods", "a").compactString());
    assertEquals("{NonResourceURLs:[\"/x\"], Verbs:[\"get\"]}", urls("get", "/x").compactString());
  }

  @Test
  void bootstrapPolicyParses() {
    BootstrapPolicy p = BootstrapPolicy.get();
    assertEquals(List.of(new PolicyRule(List.of("*"), List.of("*"), List.of("*"), List.of(), List.of()),
        new PolicyRule(List.of("*"), List.of(), List.of(), List.of(), List.of("*"))),
        p.clusterRoleRules("cluster-admin"));
    assertEquals(7, p.roles().size());
    assertEquals(7, p.roleBindings().size());
  }
}
