package dev.hostplane.apiserver.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.hostplane.apiserver.api.TestJson;
import dev.hostplane.apiserver.apply.FieldPath.Field;
import dev.hostplane.apiserver.apply.FieldPath.Key;
import dev.hostplane.apiserver.apply.FieldPath.KeyField;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FieldSetTest {
  private static FieldSet v1(String json) {
    return FieldSet.fromFieldsV1(TestJson.parse(json));
  }

  /** FieldsV1 that upstream writes; decoding and encoding again gives the same text. */
  static Stream<String> canonical() {
    return Stream.of(
        "{}",
        "{\"f:metadata\":{\"f:labels\":{\"f:app\":{}}},\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":\\\"web\\\"}\":"
            + "{\".\":{},\"f:image\":{}}}}}",
        // map entries and annotations with dots, slashes and colons in their names
        "{\"f:metadata\":{\"f:annotations\":{\".\":{},\"f:kubectl.kubernetes.io/last-applied-configuration\":{},"
            + "\"f:x:y\":{}}}}",
        // multi-field keys are sorted by name; numbers plain, strings quoted
        "{\"f:ports\":{\"k:{\\\"containerPort\\\":80,\\\"protocol\\\":\\\"TCP\\\"}\":{\".\":{},"
            + "\"f:containerPort\":{}},\"k:{\\\"containerPort\\\":80,\\\"protocol\\\":\\\"UDP\\\"}\":{}}}",
        // set values: numbers before strings before booleans; escapes as Go writes them
        "{\"f:finalizers\":{\"v:1\":{},\"v:\\\"a\\\\\\\"b\\\"\":{},\"v:\\\"x\\\\u003cy\\\\u0026z\\\"\":{},"
            + "\"v:\\\"\u00e9\\\"\":{},\"v:true\":{}}}",
        // element kinds in upstream's order: fields, keys, values, indices
        "{\"f:a\":{},\"k:{\\\"n\\\":\\\"x\\\"}\":{},\"v:\\\"s\\\"\":{},\"i:0\":{\"f:b\":{}},\"i:2\":{}}",
        // key values that are not strings
        "{\"f:l\":{\"k:{\\\"b\\\":false,\\\"n\\\":-3}\":{\".\":{},\"f:x\":{}}}}");
  }

  @ParameterizedTest
  @MethodSource("canonical")
  void fieldsV1RoundTrips(String json) throws Exception {
    FieldSet set = v1(json);
    assertEquals(json, dev.hostplane.apiserver.api.Codecs.mapper().writeValueAsString(set.toFieldsV1()));
    assertEquals(set, FieldSet.fromFieldsV1(set.toFieldsV1()));
  }

  @Test
  void encodingSortsElementsAndPutsTheSelfMarkerFirst() throws Exception {
    FieldSet set = v1("{\"f:spec\":{\"f:b\":{},\".\":{},\"f:a\":{}},\"f:apiVersion\":{}}");
    assertEquals("{\"f:apiVersion\":{},\"f:spec\":{\".\":{},\"f:a\":{},\"f:b\":{}}}",
        dev.hostplane.apiserver.api.Codecs.mapper().writeValueAsString(set.toFieldsV1()));
    assertTrue(set.has(FieldPath.fields("spec")));
    assertTrue(set.has(FieldPath.fields("spec", "a")));
  }

  @Test
  void keyFieldsAreMatchedWhateverTheirOrderOrNumberType() {
    FieldSet set = v1("{\"f:ports\":{\"k:{\\\"protocol\\\":\\\"TCP\\\",\\\"containerPort\\\":80.0}\":{}}}");
    Key key = new Key(List.of(new KeyField("containerPort", IntNode.valueOf(80)),
        new KeyField("protocol", TextNode.valueOf("TCP"))));
    assertTrue(set.has(FieldPath.of(new Field("ports"), key)));
    assertEquals(".ports[containerPort=80,protocol=\"TCP\"]", FieldPath.of(new Field("ports"), key).toString());
  }

  @Test
  void unknownElementKindsAreDroppedAndBadKeysRefused() {
    assertEquals(v1("{\"f:a\":{}}"), v1("{\"f:a\":{},\"r:future\":{}}"));
    assertThrows(IllegalArgumentException.class, () -> v1("{\"fx\":{}}"));
    assertThrows(IllegalArgumentException.class, () -> v1("{\"k:not-json\":{}}"));
    assertThrows(IllegalArgumentException.class, () -> v1("{\"f:a\":[]}"));
    assertThrows(IllegalArgumentException.class, () -> v1("[]"));
  }

  @Test
  void pathsRenderAsConflictMessagesPrintThem() {
    assertEquals(".spec.template.spec.containers[name=\"web\"].image", FieldPath.of(new Field("spec"),
        new Field("template"), new Field("spec"), new Field("containers"), Key.of("name", TextNode.valueOf("web")),
        new Field("image")).toString());
    assertEquals(".metadata.finalizers[=\"a\\\"b\"]", FieldPath.of(new Field("metadata"),
        new Field("finalizers"), new FieldPath.Value(TextNode.valueOf("a\"b"))).toString());
    assertEquals(".x[3]", FieldPath.of(new Field("x"), new FieldPath.Index(3)).toString());
  }

  /** set algebra: a, b, operation, expected (FieldsV1 each). */
  static Stream<Arguments> algebra() {
    String ab = "{\"f:a\":{\".\":{},\"f:b\":{}}}";
    String b = "{\"f:a\":{\"f:b\":{}}}";
    String a = "{\"f:a\":{}}";
    String c = "{\"f:c\":{}}";
    return Stream.of(
        Arguments.of(a, b, "union", ab),
        Arguments.of(ab, b, "intersection", b),
        Arguments.of(ab, a, "intersection", a),
        Arguments.of(ab, a, "difference", b),
        Arguments.of(ab, b, "difference", a),
        Arguments.of(ab, a, "recursiveDifference", "{}"),
        Arguments.of(b, a, "recursiveDifference", "{}"),
        Arguments.of(b, a, "difference", b),
        Arguments.of(ab, c, "difference", ab),
        Arguments.of(ab, c, "intersection", "{}"));
  }

  @ParameterizedTest
  @MethodSource("algebra")
  void setAlgebraWorksLevelByLevel(String left, String right, String op, String expected) {
    FieldSet l = v1(left);
    FieldSet r = v1(right);
    FieldSet got = switch (op) {
      case "union" -> l.union(r);
      case "intersection" -> l.intersection(r);
      case "difference" -> l.difference(r);
      default -> l.recursiveDifference(r);
    };
    assertEquals(v1(expected), got, op);
  }

  @Test
  void pathsIterateMembersBeforeChildren() {
    FieldSet set = v1("{\"f:a\":{\".\":{},\"f:z\":{}},\"f:b\":{}}");
    assertEquals(List.of(FieldPath.fields("a"), FieldPath.fields("b"), FieldPath.fields("a", "z")), set.paths());
    assertFalse(set.has(FieldPath.root()));
    assertTrue(FieldSet.builder().insert(FieldPath.root()).build().isEmpty());
  }
}
