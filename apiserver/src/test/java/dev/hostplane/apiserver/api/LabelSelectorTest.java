package dev.hostplane.apiserver.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class LabelSelectorTest {
  static final String LABEL_VALUE_ERR = ValidationTest.LABEL_VALUE_ERR;

  static Stream<Arguments> canonicalForms() {
    return Stream.of(
        Arguments.of("", ""),
        Arguments.of("x=a,y=b,z=c", "x=a,y=b,z=c"),
        Arguments.of("z=c,x=a", "x=a,z=c"),
        Arguments.of("x==a", "x==a"),
        Arguments.of("x!=a", "x!=a"),
        Arguments.of("x in (b,a,b)", "x in (a,b)"),
        Arguments.of("x notin (z)", "x notin (z)"),
        Arguments.of("x", "x"),
        Arguments.of("!x", "!x"),
        Arguments.of("x in (a,,b)", "x in (,a,b)"),
        Arguments.of("x in ()", "x in ()"),
        Arguments.of("x in (,)", "x in ()"),
        Arguments.of("x in (a,)", "x in (,a)"),
        Arguments.of("x=", "x="),
        Arguments.of("x=,y=b", "x=,y=b"),
        Arguments.of("x>1,y<2", "x>1,y<2"),
        Arguments.of("  x = a ,\ty != b\n", "x=a,y!=b"),
        Arguments.of("x in (notin),a=in", "a=in,x in (notin)"),
        Arguments.of("example.com/app in (web,api)", "example.com/app in (api,web)"),
        Arguments.of("x notin (b),x in (a)", "x notin (b),x in (a)"),
        Arguments.of("a=b\u0000", "a=b"),
        Arguments.of("\u0000x=y", ""));
  }

  @ParameterizedTest
  @MethodSource("canonicalForms")
  void parsesToUpstreamsCanonicalForm(String selector, String canonical) {
    LabelSelector s = LabelSelector.parse(selector);
    assertEquals(canonical, s.toString());
    assertEquals(s, LabelSelector.parse(canonical));
  }

  static Stream<Arguments> parseErrors() {
    String req = "unable to parse requirement: ";
    return Stream.of(
        Arguments.of("x=a||y=b", req + "values[0][x]: Invalid value: \"a||y\": " + LABEL_VALUE_ERR),
        Arguments.of("x=a==b", "found '==', expected: ',' or 'end of string'"),
        Arguments.of("x in (a", req + "found '', expected: ',' or ')'"),
        Arguments.of("x in a", req + "found 'a' expected: '('"),
        Arguments.of("x y", req + "found 'y', expected: in, notin, =, ==, !=, gt, lt"),
        Arguments.of("x=a,", "found '', expected: identifier after ','"),
        Arguments.of(",x", "found ',', expected: !, identifier, or 'end of string'"),
        Arguments.of(")", "found ')', expected: !, identifier, or 'end of string'"),
        Arguments.of("!x=a", "found '=', expected: ',' or 'end of string'"),
        Arguments.of("!", req + "found '', expected: identifier"),
        Arguments.of("!!x", req + "found '!', expected: identifier"),
        Arguments.of("x=a b", "found 'b', expected: ',' or 'end of string'"),
        Arguments.of("x=(a)", req + "found '(', expected: identifier"),
        Arguments.of("x in (a b)", req + "found 'b', expected: ',' or ')'"),
        Arguments.of("x in ((", req + "found '(', expected: ',', ')' or identifier"),
        Arguments.of("x in (a,=)", req + "found '=', expected: ',', or identifier"),
        Arguments.of("x>a", req + "values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be "
            + "an integer"),
        Arguments.of("x=" + "a".repeat(64), req + "values[0][x]: Invalid value: \"" + "a".repeat(64)
            + "\": must be no more than 63 characters"),
        Arguments.of("x in (a b,c d)", req + "found 'b', expected: ',' or ')'"),
        Arguments.of("y<-2", req + "values[0][y]: Invalid value: \"-2\": " + LABEL_VALUE_ERR),
        Arguments.of("a=b\u0000c=d", "found 'c', expected: ',' or 'end of string'"),
        Arguments.of("x in (-a,b-)", req + "[values[0][x]: Invalid value: \"-a\": " + LABEL_VALUE_ERR
            + ", values[1][x]: Invalid value: \"b-\": " + LABEL_VALUE_ERR + "]"),
        Arguments.of("Key$=a", req + "<nil>: Invalid value: \"Key$\": " + ValidationTest.NAME_PART_ERR),
        Arguments.of("a/b/c", req + "<nil>: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric "
            + "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  "
            + "or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"));
  }

  @ParameterizedTest
  @MethodSource("parseErrors")
  void parseErrorsAreBadRequestsWithUpstreamMessages(String selector, String message) {
    ApiException e = assertThrows(ApiException.class, () -> LabelSelector.parse(selector));
    assertEquals(400, e.code());
    assertEquals("BadRequest", e.status().reason());
    assertEquals(message, e.getMessage());
  }

  private static final Map<String, String> LABELS = Map.of("app", "web", "tier", "frontend", "n", "5");

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''|true", "app=web|true", "app==web|true", "app=db|false", "app!=db|true", "app!=web|false",
      "missing!=x|true", "missing=x|false", "app in (web,db)|true", "app in (db)|false", "app notin (web)|false",
      "missing notin (x)|true", "missing in (x)|false", "app|true", "missing|false", "!app|false",
      "!missing|true", "n>4|true", "n>5|false", "n<6|true", "n<4|false", "app>1|false", "missing>1|false",
      "missing<1|false", "app=web,tier=frontend|true", "app=web,tier=backend|false", "x=|false", "n in (5,)|true"})
  void matchesLikeUpstream(String selector, boolean expected) {
    assertEquals(expected, LabelSelector.parse(selector).matches(LABELS));
  }

  @Test
  void matchesLabelObjects() {
    LabelSelector s = LabelSelector.parse("app=web,!canary");
    assertTrue(s.matches(TestJson.parse("{\"app\":\"web\"}")));
    assertFalse(s.matches(TestJson.parse("{\"app\":\"web\",\"canary\":\"\"}")));
    assertFalse(s.matches((com.fasterxml.jackson.databind.JsonNode) null));
    assertTrue(LabelSelector.parse("!app").matches(TestJson.parse("null")));
  }

  @Test
  void everythingAndNothing() {
    assertTrue(LabelSelector.parse("").isEmpty());
    assertTrue(LabelSelector.EVERYTHING.matches(Map.of()));
    assertFalse(LabelSelector.NOTHING.matches(Map.of()));
    assertFalse(LabelSelector.NOTHING.isEmpty());
    assertTrue(LabelSelector.NOTHING.matchesNothing());
    assertEquals(LabelSelector.NOTHING, LabelSelector.NOTHING.and(List.of(LabelSelector.requirement("a",
        LabelSelector.Operator.EXISTS, List.of()))));
  }

  @Test
  void fromJsonConvertsMetav1Selectors() {
    assertEquals(LabelSelector.NOTHING, LabelSelector.fromJson(null));
    assertEquals(LabelSelector.NOTHING, LabelSelector.fromJson(TestJson.parse("null")));
    assertTrue(LabelSelector.fromJson(TestJson.parse("{}")).isEmpty());
    LabelSelector s = LabelSelector.fromJson(TestJson.parse("""
        {"matchLabels":{"b":"2","a":"1"},
         "matchExpressions":[{"key":"c","operator":"In","values":["y","x"]},
                             {"key":"d","operator":"DoesNotExist"},
                             {"key":"e","operator":"NotIn","values":["z"]},
                             {"key":"f","operator":"Exists"}]}"""));
    assertEquals("a=1,b=2,c in (x,y),!d,e notin (z),f", s.toString());
    assertTrue(s.matches(Map.of("a", "1", "b", "2", "c", "x", "f", "")));
    assertFalse(s.matches(Map.of("a", "1", "b", "2", "c", "x", "f", "", "d", "")));
  }

  static Stream<Arguments> fromJsonErrors() {
    return Stream.of(
        Arguments.of("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Foo\"}]}",
            "\"Foo\" is not a valid label selector operator"),
        Arguments.of("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\"}]}",
            "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"),
        Arguments.of("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\",\"values\":[\"x\"]}]}",
            "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does not exist"),
        Arguments.of("{\"matchLabels\":{\"a b\":\"x\"}}",
            "key: Invalid value: \"a b\": " + ValidationTest.NAME_PART_ERR),
        Arguments.of("{\"matchLabels\":{\"a b\":\"-\"}}",
            "[key: Invalid value: \"a b\": " + ValidationTest.NAME_PART_ERR
                + ", values[0][a b]: Invalid value: \"-\": " + LABEL_VALUE_ERR + "]"));
  }

  @ParameterizedTest
  @MethodSource("fromJsonErrors")
  void fromJsonRejectsInvalidSelectorsLikeUpstream(String json, String message) {
    ApiException e = assertThrows(ApiException.class, () -> LabelSelector.fromJson(TestJson.parse(json)));
    assertEquals(400, e.code());
    assertEquals(message, e.getMessage());
  }

  @Test
  void validateGivesFieldCauses() {
    List<Status.Cause> causes = LabelSelector.validate(TestJson.parse("""
        {"matchLabels":{"ok":"-bad"},
         "matchExpressions":[{"key":"a","operator":"In"},
                             {"key":"b","operator":"Exists","values":["x"]},
                             {"key":"c","operator":"Near","values":["x"]},
                             {"key":"d e","operator":"NotIn","values":["-"]}]}"""), "spec.selector");
    assertEquals(List.of(
        "FieldValueInvalid spec.selector.matchLabels: Invalid value: \"-bad\": " + LABEL_VALUE_ERR,
        "FieldValueRequired spec.selector.matchExpressions[0].values: Required value: must be specified when "
            + "`operator` is 'In' or 'NotIn'",
        "FieldValueForbidden spec.selector.matchExpressions[1].values: Forbidden: may not be specified when "
            + "`operator` is 'Exists' or 'DoesNotExist'",
        "FieldValueInvalid spec.selector.matchExpressions[2].operator: Invalid value: \"Near\": not a valid "
            + "selector operator",
        "FieldValueInvalid spec.selector.matchExpressions[3].values[0]: Invalid value: \"-\": " + LABEL_VALUE_ERR,
        "FieldValueInvalid spec.selector.matchExpressions[3].key: Invalid value: \"d e\": "
            + ValidationTest.NAME_PART_ERR),
        causes.stream().map(c -> c.reason() + " " + c.field() + ": " + c.message()).toList());
    assertEquals(List.of(), LabelSelector.validate(TestJson.parse("{\"matchLabels\":{\"a\":\"b\"}}"), "s"));
    assertEquals(List.of(), LabelSelector.validate(null, "s"));
  }

  @Test
  void wronglyShapedSelectorsGiveCausesOrBadRequests() {
    assertEquals(List.of("spec.selector.matchExpressions: Invalid value: {\"a\":1}: must be an array"),
        LabelSelector.validate(TestJson.parse("{\"matchExpressions\":{\"a\":1}}"), "spec.selector").stream()
            .map(c -> c.field() + ": " + c.message()).toList());
    assertEquals(List.of("s.matchExpressions[0]: Invalid value: 1: must be an object",
            "s.matchExpressions[1].values: Invalid value: \"x\": must be an array of strings",
            "s.matchExpressions[1].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"),
        LabelSelector.validate(TestJson.parse("{\"matchExpressions\":[1,{\"key\":\"k\",\"operator\":\"In\","
            + "\"values\":\"x\"}]}"), "s").stream().map(c -> c.field() + ": " + c.message()).toList());
    assertEquals(List.of("s: Invalid value: []: must be an object"),
        LabelSelector.validate(TestJson.parse("[]"), "s").stream().map(c -> c.field() + ": " + c.message()).toList());
    ApiException e = assertThrows(ApiException.class,
        () -> LabelSelector.fromJson(TestJson.parse("{\"matchLabels\":[]}")));
    assertEquals(400, e.code());
  }

  @Test
  void requiresExactMatchFindsPinnedValues() {
    LabelSelector s = LabelSelector.parse("a=b,c in (d),e in (f,g),h!=i,j==k");
    assertEquals(Optional.of("b"), s.requiresExactMatch("a"));
    assertEquals(Optional.of("d"), s.requiresExactMatch("c"));
    assertEquals(Optional.of("k"), s.requiresExactMatch("j"));
    assertEquals(Optional.empty(), s.requiresExactMatch("e"));
    assertEquals(Optional.empty(), s.requiresExactMatch("h"));
    assertEquals(Optional.empty(), s.requiresExactMatch("zzz"));
  }

  @Test
  void fromSetRequiresEveryPair() {
    LabelSelector s = LabelSelector.fromSet(Map.of("b", "2", "a", "1"));
    assertEquals("a=1,b=2", s.toString());
    assertTrue(s.matches(Map.of("a", "1", "b", "2", "c", "3")));
    assertFalse(s.matches(Map.of("a", "1")));
    assertTrue(LabelSelector.fromSet(Map.of()).isEmpty());
  }

  @Test
  void requirementValidatesLikeNewRequirement() {
    ApiException e = assertThrows(ApiException.class,
        () -> LabelSelector.requirement("a", LabelSelector.Operator.EQUALS, List.of("x", "y")));
    assertEquals("values: Invalid value: []string{\"x\", \"y\"}: exact-match compatibility requires one single value",
        e.getMessage());
    LabelSelector.Requirement r = LabelSelector.requirement("a", LabelSelector.Operator.NOT_IN, List.of("y", "x"));
    assertEquals("a notin (x,y)", r.toString());
    assertEquals(List.of("y", "x"), r.values());
  }
}
