package dev.hostplane.apiserver.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MediaTypeTest {
  private static final List<MediaType> OFFERED = List.of(MediaType.JSON, MediaType.YAML, MediaType.PROTOBUF);

  private static List<String> accept(String header) {
    return MediaType.parseAccept(header).stream().map(m -> m + (m.quality() < 1 ? ";q=" + m.quality() : ""))
        .toList();
  }

  @Test
  void parsesTypeSubtypeAndParametersCaseInsensitively() {
    MediaType m = MediaType.parse("Application/JSON; Charset=UTF-8 ; as=Table;g=\"meta.k8s.io\"").orElseThrow();
    assertEquals("application", m.type());
    assertEquals("json", m.subtype());
    assertEquals(Map.of("charset", "UTF-8", "as", "Table", "g", "meta.k8s.io"), m.parameters());
    assertEquals("Table", m.parameter("AS"));
    assertEquals(1.0, m.quality());
    assertEquals("application/json;charset=UTF-8;as=Table;g=meta.k8s.io", m.toString());
    assertTrue(m.sameEssence(MediaType.JSON));
    assertEquals(MediaType.JSON, MediaType.parse(" application/json; ").orElseThrow());
  }

  @Test
  void quotedValuesKeepSeparatorsAndEscapes() {
    MediaType m = MediaType.parse("text/plain; note=\"a;b,c \\\"q\\\"\"").orElseThrow();
    assertEquals("a;b,c \"q\"", m.parameter("note"));
    assertEquals("text/plain;note=\"a;b,c \\\"q\\\"\"", m.toString());
    assertEquals(m, MediaType.parse(m.toString()).orElseThrow());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "json", "application/", "/json", "application/json/x", "*/json",
      "application/json;x", "application/json; a=\"open", "appli cation/json", "application/json; a=b c",
      "application/js\u00f6n", ";;;", "a/b;=c"})
  void garbageDoesNotParse(String text) {
    assertEquals(Optional.empty(), MediaType.parse(text));
  }

  @Test
  void kubectlTableAcceptKeepsItsOrderAndParameters() {
    List<MediaType> a = MediaType.parseAccept("application/json;as=Table;v=v1;g=meta.k8s.io,"
        + "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json");
    assertEquals(List.of("application/json;as=Table;v=v1;g=meta.k8s.io",
        "application/json;as=Table;v=v1beta1;g=meta.k8s.io", "application/json"),
        a.stream().map(MediaType::toString).toList());
    MediaType.Match match = MediaType.negotiate(a, OFFERED).orElseThrow();
    assertEquals("Table", match.accepted().parameter("as"));
    assertEquals("v1", match.accepted().parameter("v"));
    assertEquals(MediaType.JSON, match.offered());
  }

  @Test
  void kubectlDiscoveryAcceptsParse() {
    List<MediaType> v130 = MediaType.parseAccept("application/json;g=apidiscovery.k8s.io;v=v2;"
        + "as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
        + "application/json");
    assertEquals(3, v130.size());
    assertEquals("apidiscovery.k8s.io", v130.get(0).parameter("g"));
    assertEquals("v2", v130.get(0).parameter("v"));
    assertEquals("APIGroupDiscoveryList", v130.get(0).parameter("as"));
    assertEquals("v2beta1", v130.get(1).parameter("v"));
    assertEquals(Map.of(), v130.get(2).parameters());
  }

  @Test
  void kubectlProtobufAcceptPrefersProtobuf() {
    List<MediaType> a = MediaType.parseAccept("application/vnd.kubernetes.protobuf,application/json");
    assertEquals(List.of(MediaType.PROTOBUF, MediaType.JSON), a);
    assertEquals(MediaType.PROTOBUF, MediaType.negotiate(a, OFFERED).orElseThrow().offered());
    assertEquals(MediaType.JSON, MediaType.negotiate(a, List.of(MediaType.JSON)).orElseThrow().offered());
  }

  @Test
  void qualityThenSpecificityThenHeaderOrder() {
    assertEquals(List.of("application/json", "text/plain;q=0.5", "*/*;q=0.1"),
        accept("text/plain;q=0.5, application/json, */*;q=0.1"));
    assertEquals(List.of("application/json", "application/*", "*/*"),
        accept("*/*, application/*, application/json"));
    assertEquals(List.of("application/yaml", "application/json"), accept("application/yaml, application/json"));
  }

  @Test
  void zeroAndUnparseableQualitiesAreNotAcceptable() {
    assertEquals(List.of("application/yaml"), accept("application/json;q=0, application/yaml, text/x;q=abc"));
    assertEquals(List.of("text/x;q=0.001"), accept("text/x;q=0.001"));
    assertEquals(List.of("text/x"), accept("text/x;q=7"));
  }

  @Test
  void garbageElementsAreSkippedNotFatal() {
    assertEquals(List.of("application/json"), accept("foo, application/json, ;;;, /, a/b/c, \"x"));
    assertEquals(List.of("*/*"), accept("*"));
    assertEquals(List.of("*/*"), accept(null));
    assertEquals(List.of("*/*"), accept("  "));
    assertEquals(List.of(), accept(",,,"));
    assertEquals(List.of("application/json;x=1"), accept("application/json;bad;x=1"));
  }

  @Test
  void wildcardsMatchByTypeAndSubtype() {
    assertTrue(MediaType.ANY.includes(MediaType.YAML));
    assertTrue(MediaType.parse("application/*").orElseThrow().includes(MediaType.PROTOBUF));
    assertFalse(MediaType.parse("text/*").orElseThrow().includes(MediaType.JSON));
    assertFalse(MediaType.JSON.includes(MediaType.ANY));
    assertEquals(MediaType.JSON, MediaType.negotiate(MediaType.parseAccept("*/*"), OFFERED).orElseThrow().offered());
  }

  @Test
  void nothingAcceptableIs406() {
    List<MediaType> a = MediaType.parseAccept("text/html, image/*");
    assertEquals(Optional.empty(), MediaType.negotiate(a, OFFERED));
    ApiException e = MediaType.notAcceptable(OFFERED);
    assertEquals(406, e.code());
    assertEquals("NotAcceptable", e.status().reason());
    assertEquals("only the following media types are accepted: application/json, application/yaml, "
        + "application/vnd.kubernetes.protobuf", e.getMessage());
  }
}
