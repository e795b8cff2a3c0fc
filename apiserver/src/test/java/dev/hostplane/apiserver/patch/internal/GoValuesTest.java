package dev.hostplane.apiserver.patch.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.api.TestJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Go's view of decoded JSON, which upstream's messages and comparisons are made of. */
class GoValuesTest {
  @ParameterizedTest(name = "%v of {0}")
  @CsvSource(delimiter = '|', value = {
      "{\"name\":\"web\",\"image\":\"nginx\",\"$patch\":\"delete\"} | map[$patch:delete image:nginx name:web]",
      "[1,\"a\",true,null,{\"b\":[2]}]                            | [1 a true <nil> map[b:[2]]]",
      "1000000.0 | 1e+06",
      "123456.0  | 123456",
      "1.5       | 1.5",
      "0.0001    | 0.0001",
      "0.000015  | 1.5e-05",
      "-2.5e300  | -2.5e+300",
      "9223372036854775807 | 9223372036854775807"})
  void formatsLikePercentV(String json, String expected) {
    assertEquals(expected, GoValues.v(TestJson.parse(json)));
  }

  @ParameterizedTest(name = "%s of {0}")
  @CsvSource(delimiter = '|', value = {
      "\"replace\"       | replace",
      "7                 | %!s(int64=7)",
      "7.5               | %!s(float64=7.5)",
      "false             | %!s(bool=false)",
      "null              | %!s(<nil>)",
      "{\"a\":1,\"b\":\"x\"} | map[a:%!s(int64=1) b:x]"})
  void formatsLikePercentS(String json, String expected) {
    assertEquals(expected, GoValues.s(TestJson.parse(json)));
  }

  @Test
  void comparesLikeGoInterfaces() {
    assertTrue(GoValues.same(TestJson.parse("80"), TestJson.parse("80")));
    assertFalse(GoValues.same(TestJson.parse("80"), TestJson.parse("80.0")), "int64 is not float64");
    assertFalse(GoValues.same(TestJson.parse("\"80\""), TestJson.parse("80")));
    assertTrue(GoValues.same(TestJson.parse("null"), null), "an absent key reads as nil");
    assertEquals("[]interface {}", GoValues.typeOf(TestJson.parse("[]")).goName());
    assertEquals("%!s(<nil>)", GoValues.typeOf(TestJson.parse("null")).goName());
  }
}
