package dev.hostplane.apiserver.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.api.FieldSelector.Operator;
import dev.hostplane.apiserver.api.FieldSelector.Requirement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class FieldSelectorTest {
  static Stream<Arguments> parses() {
    return Stream.of(
        Arguments.of("", List.of(), ""),
        Arguments.of("metadata.name=foo", List.of(new Requirement("metadata.name", Operator.EQUALS, "foo")),
            "metadata.name=foo"),
        Arguments.of("status.phase!=Running,metadata.name==x",
            List.of(new Requirement("metadata.name", Operator.EQUALS, "x"),
                new Requirement("status.phase", Operator.NOT_EQUALS, "Running")),
            "metadata.name=x,status.phase!=Running"),
        Arguments.of("x=a,,y=b,", List.of(new Requirement("x", Operator.EQUALS, "a"),
            new Requirement("y", Operator.EQUALS, "b")), "x=a,y=b"),
        Arguments.of("a=x\\,y", List.of(new Requirement("a", Operator.EQUALS, "x,y")), "a=x\\,y"),
        Arguments.of("a=x\\=y\\\\z", List.of(new Requirement("a", Operator.EQUALS, "x=y\\z")), "a=x\\=y\\\\z"),
        Arguments.of("a=", List.of(new Requirement("a", Operator.EQUALS, "")), "a="),
        Arguments.of("=foo", List.of(new Requirement("", Operator.EQUALS, "foo")), "=foo"),
        Arguments.of("a = b", List.of(new Requirement("a ", Operator.EQUALS, " b")), "a = b"),
        Arguments.of("involvedObject.name=web,involvedObject.namespace=default,involvedObject.uid=1-2",
            List.of(new Requirement("involvedObject.name", Operator.EQUALS, "web"),
                new Requirement("involvedObject.namespace", Operator.EQUALS, "default"),
                new Requirement("involvedObject.uid", Operator.EQUALS, "1-2")),
            "involvedObject.name=web,involvedObject.namespace=default,involvedObject.uid=1-2"));
  }

  @ParameterizedTest
  @MethodSource("parses")
  void parsesLikeUpstream(String selector, List<Requirement> requirements, String canonical) {
    FieldSelector s = FieldSelector.parse(selector);
    assertEquals(requirements, s.requirements());
    assertEquals(canonical, s.toString());
    assertEquals(s, FieldSelector.parse(canonical));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "foo|invalid selector: 'foo'; can't understand 'foo'",
      "a=b,foo|invalid selector: 'a=b,foo'; can't understand 'foo'",
      "a=b=c|invalid field selector: unescaped character in value: 61",
      "a!==b|invalid field selector: unescaped character in value: 61",
      "a=b\\,c,d=e,f|invalid selector: 'a=b\\,c,d=e,f'; can't understand 'f'",
      "a=b\\x|invalid field selector: invalid escape sequence: \\x",
      "a=b\\|invalid field selector: invalid escape sequence: \\"})
  void parseErrorsAreBadRequestsWithUpstreamMessages(String selector, String message) {
    ApiException e = assertThrows(ApiException.class, () -> FieldSelector.parse(selector));
    assertEquals(400, e.code());
    assertEquals(message, e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''|true", "metadata.name=foo|true", "metadata.name==foo|true", "metadata.name=bar|false",
      "status.phase!=Running|false", "status.phase!=Pending|true", "spec.nodeName=|true", "spec.nodeName!=|false",
      "metadata.name=foo,status.phase=Running|true", "metadata.name=foo,status.phase=Pending|false"})
  void matchesWithMissingFieldsAsEmpty(String selector, boolean expected) {
    Map<String, String> fields = Map.of("metadata.name", "foo", "status.phase", "Running");
    assertEquals(expected, FieldSelector.parse(selector).matches(fields::get));
  }

  @Test
  void registryHelpers() {
    FieldSelector s = FieldSelector.parse("metadata.name=web,status.phase!=Failed,metadata.name!=x");
    assertEquals(Optional.of("web"), s.requiresExactMatch("metadata.name"));
    assertEquals(Optional.empty(), s.requiresExactMatch("status.phase"));
    assertEquals(2, s.requirementsFor("metadata.name").size());
    s.checkSupported(Set.of("metadata.name", "metadata.namespace", "status.phase"));
    ApiException e = assertThrows(ApiException.class, () -> s.checkSupported(Set.of("metadata.name")));
    assertEquals("field label not supported: status.phase", e.getMessage());
    assertEquals(400, e.code());
    assertTrue(FieldSelector.parse("").isEmpty());
    assertEquals(FieldSelector.parse("metadata.name=a\\,b"), FieldSelector.equal("metadata.name", "a,b"));
  }
}
