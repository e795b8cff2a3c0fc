package dev.hostplane.apiserver.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CodecsTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static ApiException rejectJson(String body) {
    return assertThrows(ApiException.class, () -> Codecs.readObject(bytes(body), MediaType.JSON));
  }

  private static ApiException rejectYaml(String body) {
    return assertThrows(ApiException.class, () -> Codecs.readObject(bytes(body), MediaType.YAML));
  }

  private static ObjectNode yaml(String body) {
    return Codecs.readObject(bytes(body), MediaType.YAML);
  }

  // ---- JSON ----

  @Test
  void readsJsonObjectsWithJacksonsUsualNodeTypes() {
    ObjectNode o = Codecs.readObject(bytes("{\"a\":1,\"b\":12345678901,\"c\":1.5,\"d\":[true,null,\"x\"]}"), null);
    assertEquals(TestJson.parse("{\"a\":1,\"b\":12345678901,\"c\":1.5,\"d\":[true,null,\"x\"]}"), o);
    assertTrue(o.get("a").isInt());
    assertTrue(o.get("b").isLong());
  }

  @Test
  void malformedJsonIsBadRequestWithPosition() {
    ApiException e = rejectJson("{\n  \"a\": }");
    assertEquals(400, e.code());
    assertEquals("BadRequest", e.status().reason());
    assertTrue(e.getMessage().startsWith("couldn't get version/kind; json parse error: "), e.getMessage());
    assertTrue(e.getMessage().contains("line 2, column 8"), e.getMessage());
  }

  static Stream<Arguments> jsonErrors() {
    return Stream.of(
        Arguments.of("", "unexpected end of JSON input"),
        Arguments.of("{\"a\":1", "unexpected end of JSON input"),
        Arguments.of("{} {}", "invalid character after top-level value at line 1, column 4"),
        Arguments.of("[1]", "expected a JSON object, found an array"),
        Arguments.of("\"x\"", "expected a JSON object, found a string"),
        Arguments.of("null", "expected a JSON object, found null"),
        Arguments.of("{\"a\":1e400}", "number 1e400 is out of range at line 1, column 6"));
  }

  @ParameterizedTest
  @MethodSource("jsonErrors")
  void jsonErrorsNameTheProblem(String body, String problem) {
    assertEquals("couldn't get version/kind; json parse error: " + problem, rejectJson(body).getMessage());
  }

  @Test
  void nestingIsLimited() {
    String ok = "{\"a\":" + "[".repeat(Codecs.MAX_NESTING_DEPTH - 1) + "]".repeat(Codecs.MAX_NESTING_DEPTH - 1) + "}";
    Codecs.readObject(bytes(ok), MediaType.JSON);
    String deep = "{\"a\":" + "[".repeat(Codecs.MAX_NESTING_DEPTH) + "]".repeat(Codecs.MAX_NESTING_DEPTH) + "}";
    assertEquals("couldn't get version/kind; json parse error: exceeded max depth of 1000",
        rejectJson(deep).getMessage());
  }

  @Test
  void readTreeAcceptsAnyValueAndReportsBareProblems() {
    assertEquals(TestJson.parse("[1,2]"), Codecs.readTree(bytes("[1,2]"), MediaType.JSON));
    ApiException e = assertThrows(ApiException.class, () -> Codecs.readTree(bytes("[1,"), MediaType.JSON));
    assertEquals("unexpected end of JSON input", e.getMessage());
  }

  @Test
  void unreadableContentTypeIs415() {
    ApiException e = assertThrows(ApiException.class,
        () -> Codecs.readObject(bytes("{}"), MediaType.parse("text/plain").orElseThrow()));
    assertEquals(415, e.code());
    assertEquals("UnsupportedMediaType", e.status().reason());
    assertEquals("the body of the request was in an unknown format - accepted media types include: "
        + "application/json, application/yaml", e.getMessage());
    assertTrue(Codecs.canRead(MediaType.parse("application/json; charset=utf-8").orElseThrow()));
  }

  @Test
  void duplicateFieldsKeepTheLastValueAndAreReportedWhenStrict() {
    String body = "{\"a\":1,\"a\":2,\"m\":{\"b\":1,\"b\":2},\"l\":[{},{\"c\":1,\"c\":1}]}";
    ObjectNode lenient = Codecs.readObject(bytes(body), MediaType.JSON);
    assertEquals(2, lenient.get("a").intValue());
    Codecs.Decoded strict = Codecs.readObjectStrict(bytes(body), MediaType.JSON);
    assertEquals(lenient, strict.object());
    assertEquals(List.of("duplicate field \"a\"", "duplicate field \"m.b\"", "duplicate field \"l[1].c\""),
        strict.strictErrors());
    assertEquals(List.of(), Codecs.readObjectStrict(bytes("{\"a\":{\"a\":1}}"), null).strictErrors());
  }

  @Test
  void writesJsonAsGoDoes() {
    ObjectNode o = (ObjectNode) TestJson.parse("{\"html\":\"<a href='x'>&</a>\",\"u\":\"é\\u2028\"}");
    assertEquals("{\"html\":\"\\u003ca href='x'\\u003e\\u0026\\u003c/a\\u003e\",\"u\":\"é\\u2028\"}\n",
        new String(Codecs.writeJson(o), StandardCharsets.UTF_8));
  }

  // ---- YAML ----

  @Test
  void readsYamlIntoTheSameTreeAsJson() {
    String manifest = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: demo
          labels: {app: web}
        data:
          key: value
          multi: |
            line one
            line two
        list:
        - 1
        - two
        """;
    assertEquals(TestJson.parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"demo\","
        + "\"labels\":{\"app\":\"web\"}},\"data\":{\"key\":\"value\",\"multi\":\"line one\\nline two\\n\"},"
        + "\"list\":[1,\"two\"]}"), yaml(manifest));
  }

  static Stream<Arguments> yamlScalars() {
    return Stream.of(
        Arguments.of("yes", "true"), Arguments.of("y", "true"), Arguments.of("On", "true"),
        Arguments.of("NO", "false"), Arguments.of("off", "false"), Arguments.of("n", "false"),
        Arguments.of("~", "null"), Arguments.of("null", "null"), Arguments.of("", "null"),
        Arguments.of("12", "12"), Arguments.of("-12", "-12"), Arguments.of("+12", "12"),
        Arguments.of("0777", "511"), Arguments.of("0x1F", "31"), Arguments.of("0o17", "15"),
        Arguments.of("0b101", "5"), Arguments.of("1_000", "1000"), Arguments.of("08", "8.0"),
        Arguments.of("18446744073709551615", "18446744073709551615"),
        Arguments.of("1.5", "1.5"), Arguments.of("1e3", "1000.0"), Arguments.of(".5", "0.5"),
        Arguments.of("1e400", "\"1e400\""),
        Arguments.of("2024-05-01", "\"2024-05-01\""), Arguments.of("1:20", "\"1:20\""),
        Arguments.of("'yes'", "\"yes\""), Arguments.of("\"12\"", "\"12\""), Arguments.of("!!str 12", "\"12\""),
        Arguments.of("!!int \"12\"", "12"), Arguments.of("!!float 1", "1.0"),
        Arguments.of("!!binary aGVsbG8=", "\"hello\""), Arguments.of("<<", "\"<<\""),
        Arguments.of("yes please", "\"yes please\""), Arguments.of("0x", "\"0x\""));
  }

  @ParameterizedTest
  @MethodSource("yamlScalars")
  void yamlScalarsAreTypedLikeGoYamlV2(String yamlValue, String json) {
    assertEquals(TestJson.parse(json), yaml("v: " + yamlValue).get("v"));
  }

  @Test
  void yamlKeysBecomeStrings() {
    assertEquals(TestJson.parse("{\"true\":1,\"1\":2,\"1.5\":3,\"false\":4}"), yaml("on: 1\n1: 2\n1.5: 3\nno: 4"));
    assertEquals("error converting YAML to JSON: yaml: line 1: unsupported map key: null",
        rejectYaml("~: 1").getMessage());
  }

  @Test
  void aliasesExpandToIndependentCopiesAndMergeKeysApply() {
    ObjectNode o = yaml("""
        base: &b {a: 1, b: 2}
        copy: *b
        derived:
          b: 3
          <<: *b
        twice:
          <<: [{x: 1}, {x: 2, z: 2}]
        norway: {y: 1, n: 2}
        """);
    assertEquals(TestJson.parse("{\"a\":1,\"b\":2}"), o.get("copy"));
    assertEquals(TestJson.parse("{\"a\":1,\"b\":3}"), o.get("derived"));
    assertEquals(TestJson.parse("{\"x\":1,\"z\":2}"), o.get("twice"));
    assertEquals(TestJson.parse("{\"true\":1,\"false\":2}"), o.get("norway"), "YAML 1.1 keys, as go-yaml v2");
    ((ObjectNode) o.get("copy")).put("a", 9);
    assertEquals(1, o.get("base").get("a").intValue());
  }

  @Test
  void aliasBombsFailFast() {
    String bomb = """
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
        i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
        """;
    long start = System.nanoTime();
    assertEquals("error converting YAML to JSON: yaml: document contains excessive aliasing",
        rejectYaml(bomb).getMessage());
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 5);
  }

  static Stream<Arguments> yamlErrors() {
    return Stream.of(
        Arguments.of("a: b: c", "yaml: line 1: mapping values are not allowed here"),
        Arguments.of("a: 1\n---\nb: 2\n", "yaml: line 3: the body holds more than one document; send exactly one"),
        Arguments.of("a: *nope", "yaml: line 1: unknown anchor 'nope' referenced"),
        Arguments.of("a: .inf", "json: unsupported value: +Inf"),
        Arguments.of("a: -.Inf", "json: unsupported value: -Inf"),
        Arguments.of("a: .nan", "json: unsupported value: NaN"),
        Arguments.of("a: !!int x", "yaml: line 1: cannot decode !!str `x` as a !!int"),
        Arguments.of("a: [" + "[".repeat(1000) + "]".repeat(1000) + "]", "yaml: exceeded max depth of 1000"));
  }

  @ParameterizedTest
  @MethodSource("yamlErrors")
  void yamlErrorsReadLikeUpstream(String body, String problem) {
    ApiException e = rejectYaml(body);
    assertEquals(400, e.code());
    assertEquals("error converting YAML to JSON: " + problem, e.getMessage());
  }

  @Test
  void yamlThatIsNotAnObjectIsRejected() {
    assertEquals("couldn't get version/kind; json parse error: expected a JSON object, found an array",
        rejectYaml("- a").getMessage());
    assertEquals("couldn't get version/kind; json parse error: expected a JSON object, found null",
        rejectYaml("").getMessage());
  }

  @Test
  void jsonSentAsYamlReadsAsJson() {
    assertEquals(TestJson.parse("{\"a\":\"x/y\",\"b\":[1,2.5,true,null],\"c\":{}}"),
        yaml("{\n\t\"a\": \"x\\/y\",\t\"b\": [1, 2.5, true, null],\n\t\"c\": {}\n}"));
    assertEquals(TestJson.parse("{\"a\":1,\"b\":[\"x\"],\"c\":true}"), yaml("{a: 1, b: [x], c: yes}"));
    Codecs.Decoded d = Codecs.readObjectStrict(bytes("{\"a\": 1, \"a\": 2}"), MediaType.YAML);
    assertEquals(List.of("yaml: unmarshal errors:\n  line 1: key \"a\" already set in map"), d.strictErrors());
  }

  @Test
  void aTrailingEmptyDocumentIsAllowed() {
    assertEquals(TestJson.parse("{\"a\":1}"), yaml("---\na: 1\n---\n"));
  }

  @Test
  void invalidUtf8InYamlIsBadRequest() {
    byte[] body = {'a', ':', ' ', (byte) 0xff, '\n'};
    ApiException e = assertThrows(ApiException.class, () -> Codecs.readObject(body, MediaType.YAML));
    assertEquals("error converting YAML to JSON: yaml: invalid UTF-8 in the input", e.getMessage());
  }

  @Test
  void yamlDuplicateKeysAreReportedLikeGoYaml() {
    Codecs.Decoded d = Codecs.readObjectStrict(bytes("a: 1\nm:\n  b: 1\n  b: 2\na: 3\n"), MediaType.YAML);
    assertEquals(3, d.object().get("a").intValue());
    assertEquals(List.of("yaml: unmarshal errors:\n  line 4: key \"b\" already set in map\n"
        + "  line 5: key \"a\" already set in map"), d.strictErrors());
  }

  // ---- YAML output ----

  @Test
  void writesYamlLikeKubectl() {
    JsonNode pod = TestJson.parse("""
        {"kind":"Pod","apiVersion":"v1","metadata":{"name":"web","labels":{"app":"web"},"annotations":{}},
         "spec":{"containers":[{"name":"c","image":"nginx","args":["-c","echo hi\\nthere"],"ports":[]}]},
         "status":{"phase":"Running","ready":true,"count":3,"ratio":1.5,"big":1000000.0,"none":null}}""");
    assertEquals("""
        apiVersion: v1
        kind: Pod
        metadata:
          annotations: {}
          labels:
            app: web
          name: web
        spec:
          containers:
          - args:
            - -c
            - |-
              echo hi
              there
            image: nginx
            name: c
            ports: []
        status:
          big: 1e+06
          count: 3
          none: null
          phase: Running
          ratio: 1.5
          ready: true
        """, new String(Codecs.writeYaml(pod), StandardCharsets.UTF_8));
  }

  static Stream<Arguments> yamlStrings() {
    return Stream.of(
        Arguments.of("plain", "plain"), Arguments.of("true", "\"true\""), Arguments.of("y", "\"y\""),
        Arguments.of("123", "\"123\""), Arguments.of("1e3", "\"1e3\""), Arguments.of("0x1F", "\"0x1F\""),
        Arguments.of("", "\"\""), Arguments.of("~", "\"~\""), Arguments.of("null", "\"null\""),
        Arguments.of("2024-05-01", "\"2024-05-01\""), Arguments.of("1:20", "\"1:20\""),
        Arguments.of("<<", "\"<<\""), Arguments.of("a: b", "'a: b'"), Arguments.of("#x", "'#x'"),
        Arguments.of("é☃", "é☃"), Arguments.of("x:y", "x:y"));
  }

  @ParameterizedTest
  @MethodSource("yamlStrings")
  void yamlStringsAreQuotedOnlyWhenNeeded(String value, String written) {
    ObjectNode o = Codecs.mapper().createObjectNode().put("v", value);
    assertEquals("v: " + written + "\n", new String(Codecs.writeYaml(o), StandardCharsets.UTF_8));
    assertEquals(o, yaml("v: " + written), "round trip");
  }

  @Test
  void yamlKeysSortLikeGoYaml() {
    ObjectNode o = (ObjectNode) TestJson.parse("{\"a10\":1,\"a9\":1,\"b\":1,\"a_b\":1,\"aB\":1,\"A\":1}");
    assertEquals("A: 1\na_b: 1\na9: 1\na10: 1\naB: 1\nb: 1\n", new String(Codecs.writeYaml(o),
        StandardCharsets.UTF_8));
  }

  @Test
  void yamlRoundTripsTrickyTrees() {
    ObjectNode o = (ObjectNode) TestJson.parse("""
        {"s":["y","NO","0777","1_000","08",".5","-","- x","? q","{a}","[b]","@x","`x","%x","!x","&x","*x","|","> x",
              " lead","trail ","tab\\tin","multi\\nline\\n","  indented\\nlines"],
         "n":[0,-1,1.25,1e-7,12345678901234567890],"b":[true,false],"z":null,"e":{},"ea":[]}""");
    assertEquals(o, yaml(new String(Codecs.writeYaml(o), StandardCharsets.UTF_8)));
  }
}
