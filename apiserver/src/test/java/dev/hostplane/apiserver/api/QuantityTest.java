package dev.hostplane.apiserver.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.api.Quantity.Format;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuantityTest {
  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      // decimal SI
      "0|0", "-0|0", "00|0", "0m|0", "1|1", "100m|100m", "1000m|1", "1500m|1500m", "1.5|1500m", "0.5|500m",
      ".5|500m", "1.0|1", "1k|1k", "1000|1k", "1500|1500", "2000|2k", "1M|1M", "1000M|1G", "1G|1G", "1T|1T",
      "1P|1P", "1E|1E", "100u|100u", "1n|1n", "0.1n|1n", "1.5n|2n", "-1.5n|-2n", "-1|-1", "-100m|-100m",
      "-1000m|-1", "12345678901234567890|12345678901234567890", "0.000000001|1n", "500M|500M",
      // binary SI
      "1Ki|1Ki", "1024Ki|1Mi", "1024Mi|1Gi", "1.5Gi|1536Mi", "1536Mi|1536Mi", "0.5Ki|512", "1.1Ki|1126400m",
      "7Ei|7Ei", "8Ei|9223372036854775807", "-1.5Gi|-1536Mi", "1024|1024", "2048Ki|2Mi", "100Mi|100Mi",
      "0.0001Ki|102400u",
      // decimal exponent
      "1e3|1e3", "1E3|1E3", "1e-3|1e-3", "1.5e3|1500", "12e6|12e6", "1e10|10e9", "1.0E21|1e21", "1e-10|1e-9",
      "1000e3|1e6", "1e+3|1e+3",
      // upstream keeps an already canonical input as written
      "+1|+1", "01|01", "5.|5.", "1.G|1.G", "1.500|1.500", "+0.5|500m",
      // values past the E suffix: upstream drops the suffix here; we keep the value right
      "1000E|1000E", "1e21|1e21"})
  void canonicalFormsMatchUpstream(String input, String canonical) {
    assertEquals(canonical, Quantity.parse(input).toString());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "''|" + Quantity.FORMAT_ERROR, "abc|" + Quantity.FORMAT_ERROR, "1.2.3|" + Quantity.FORMAT_ERROR,
      "' 1'|" + Quantity.FORMAT_ERROR, "'1 '|" + Quantity.FORMAT_ERROR, "1x|" + Quantity.FORMAT_ERROR,
      "1Mi2|" + Quantity.SUFFIX_ERROR, "1e|" + Quantity.SUFFIX_ERROR, "1ki|" + Quantity.SUFFIX_ERROR,
      "1Ki3|" + Quantity.SUFFIX_ERROR, "1mm|" + Quantity.SUFFIX_ERROR, "1e1001|" + Quantity.SUFFIX_ERROR,
      "1e99999999999999999999|" + Quantity.SUFFIX_ERROR, "1--1|" + Quantity.FORMAT_ERROR,
      "\u0967|" + Quantity.FORMAT_ERROR})
  void invalidQuantitiesGiveUpstreamMessages(String input, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quantity.parse(input));
    assertEquals(message, e.getMessage());
    assertEquals(List.of(message), Quantity.validate(input));
  }

  @Test
  void formatErrorQuotesUpstreamsRegex() {
    assertEquals("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        Quantity.FORMAT_ERROR);
    assertEquals(List.of(), Quantity.validate("250m"));
  }

  @Test
  void hugeNumbersAreRejectedCheaply() {
    assertEquals(List.of(Quantity.NUMERIC_ERROR), Quantity.validate("1".repeat(1001)));
    assertEquals("1" + "0".repeat(981) + "E", Quantity.parse("1" + "0".repeat(999)).toString());
  }

  @Test
  void formatsAreRemembered() {
    assertEquals(Format.DECIMAL_SI, Quantity.parse("1k").format());
    assertEquals(Format.BINARY_SI, Quantity.parse("1Ki").format());
    assertEquals(Format.BINARY_SI, Quantity.parse("0.5Ki").format());
    assertEquals(Format.DECIMAL_SI, Quantity.parse("0.0001Ki").format(), "binary values below 1 turn decimal");
    assertEquals(Format.DECIMAL_EXPONENT, Quantity.parse("1e3").format());
  }

  @Test
  void comparesByValue() {
    Quantity gi = Quantity.parse("1Gi");
    Quantity g = Quantity.parse("1G");
    assertTrue(gi.compareTo(g) > 0);
    assertEquals(Quantity.parse("1000m"), Quantity.parse("1"));
    assertEquals(Quantity.parse("1000m").hashCode(), Quantity.parse("1").hashCode());
    assertEquals(Quantity.parse("1024"), Quantity.parse("1Ki"));
    assertNotEquals(Quantity.parse("1"), Quantity.parse("1001m"));
    assertTrue(Quantity.parse("100m").compareTo(Quantity.parse("0.1")) == 0);
    assertTrue(Quantity.parse("-1").signum() < 0);
    assertTrue(Quantity.parse("0Ki").isZero());
  }

  @Test
  void integerViewsRoundAwayFromZero() {
    assertEquals(2, Quantity.parse("1.5").longValue());
    assertEquals(-2, Quantity.parse("-1.5").longValue());
    assertEquals(1, Quantity.parse("1n").longValue());
    assertEquals(100, Quantity.parse("100m").milliValue());
    assertEquals(1, Quantity.parse("1n").milliValue());
    assertEquals(1073741824L, Quantity.parse("1Gi").longValue());
    assertEquals(Long.MAX_VALUE, Quantity.parse("1e30").longValue());
    assertEquals(new BigDecimal("0.25"), Quantity.parse("250m").decimalValue().stripTrailingZeros());
  }

  @Test
  void arithmeticKeepsTheFormatLikeUpstream() {
    assertEquals("1500m", Quantity.parse("1").add(Quantity.parse("500m")).toString());
    assertEquals("1Gi", Quantity.ZERO.add(Quantity.parse("1Gi")).toString());
    assertEquals("2Gi", Quantity.parse("1Gi").add(Quantity.parse("1Gi")).toString());
    assertEquals("512Mi", Quantity.parse("1Gi").subtract(Quantity.parse("512Mi")).toString());
    assertEquals("-1", Quantity.parse("+1").negate().toString());
    assertEquals("1", Quantity.parse("+1").add(Quantity.ZERO).toString(), "arithmetic drops the kept text");
    assertEquals("1500m", Quantity.ofMilli(1500, Format.DECIMAL_SI).toString());
    assertEquals("1Ki", Quantity.of(1024, Format.BINARY_SI).toString());
    assertEquals("1e3", Quantity.of(1000, Format.DECIMAL_EXPONENT).toString());
  }

  @Test
  void readsJsonStringsAndNumbers() {
    assertEquals("1Gi", Quantity.fromJson(TestJson.parse("\" 1Gi \"")).toString());
    assertEquals("2", Quantity.fromJson(TestJson.parse("2")).toString());
    assertEquals("500m", Quantity.fromJson(TestJson.parse("0.5")).toString());
    assertEquals("1e21", Quantity.fromJson(TestJson.parse("1e21")).toString());
    assertNull(Quantity.fromJson(TestJson.parse("null")));
    assertNull(Quantity.fromJson(null));
    assertThrows(IllegalArgumentException.class, () -> Quantity.fromJson(TestJson.parse("true")));
    assertThrows(IllegalArgumentException.class, () -> Quantity.fromJson(TestJson.parse("\"1x\"")));
  }
}
