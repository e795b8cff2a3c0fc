package dev.hostplane.apiserver.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValidationTest {
  static final String SUBDOMAIN_ERR = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
      + "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
      + "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  static final String LABEL_ERR = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
      + "or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used "
      + "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
  static final String DNS1035_ERR = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
      + "start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
      + "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
  static final String NAME_PART_ERR = "name part must consist of alphanumeric characters, '-', '_' or '.', and "
      + "must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
      + "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  static final String LABEL_VALUE_ERR = "a valid label must be an empty string or consist of alphanumeric "
      + "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
      + "'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

  static Stream<Arguments> subdomains() {
    return Stream.of(
        Arguments.of("a", List.of()),
        Arguments.of("example.com", List.of()),
        Arguments.of("1-2.x-y", List.of()),
        Arguments.of("a".repeat(253), List.of()),
        Arguments.of("a".repeat(254), List.of("must be no more than 253 characters")),
        Arguments.of("", List.of(SUBDOMAIN_ERR)),
        Arguments.of("Foo", List.of(SUBDOMAIN_ERR)),
        Arguments.of("-a", List.of(SUBDOMAIN_ERR)),
        Arguments.of("a-", List.of(SUBDOMAIN_ERR)),
        Arguments.of("a..b", List.of(SUBDOMAIN_ERR)),
        Arguments.of(".a", List.of(SUBDOMAIN_ERR)),
        Arguments.of("a_b", List.of(SUBDOMAIN_ERR)),
        Arguments.of("é", List.of(SUBDOMAIN_ERR)),
        Arguments.of("A".repeat(254), List.of("must be no more than 253 characters", SUBDOMAIN_ERR)));
  }

  @ParameterizedTest
  @MethodSource("subdomains")
  void dns1123SubdomainsGiveUpstreamMessages(String name, List<String> expected) {
    assertEquals(expected, Validation.isDns1123Subdomain(name));
  }

  static Stream<Arguments> labels() {
    return Stream.of(
        Arguments.of("my-name", List.of()),
        Arguments.of("123-abc", List.of()),
        Arguments.of("a".repeat(63), List.of()),
        Arguments.of("a".repeat(64), List.of("must be no more than 63 characters")),
        Arguments.of("a.b", List.of("must not contain dots")),
        Arguments.of("A", List.of(LABEL_ERR)),
        Arguments.of("", List.of(LABEL_ERR)),
        Arguments.of("a-", List.of(LABEL_ERR)));
  }

  @ParameterizedTest
  @MethodSource("labels")
  void dns1123LabelsGiveUpstreamMessages(String name, List<String> expected) {
    assertEquals(expected, Validation.isDns1123Label(name));
  }

  @Test
  void dns1035LabelsMustStartWithALetter() {
    assertEquals(List.of(), Validation.isDns1035Label("abc-123"));
    assertEquals(List.of(DNS1035_ERR), Validation.isDns1035Label("1abc"));
    assertEquals(List.of(DNS1035_ERR), Validation.isDns1035Label("a.b"));
    assertEquals(List.of("must be no more than 63 characters"), Validation.isDns1035Label("a".repeat(64)));
  }

  @Test
  void pathSegmentNamesRejectDotsSlashesAndPercent() {
    assertEquals(List.of("may not be '.'"), Validation.isPathSegmentName("."));
    assertEquals(List.of("may not be '..'"), Validation.isPathSegmentName(".."));
    assertEquals(List.of("may not contain '/'", "may not contain '%'"), Validation.isPathSegmentName("a/%b"));
    assertEquals(List.of(), Validation.isPathSegmentName("system:controller:Foo"));
    assertEquals(List.of(), Validation.isPathSegmentPrefix(".."));
  }

  static Stream<Arguments> qualifiedNames() {
    return Stream.of(
        Arguments.of("app", List.of()),
        Arguments.of("App_1.x-y", List.of()),
        Arguments.of("example.com/MyName", List.of()),
        Arguments.of("kubernetes.io/cluster-service", List.of()),
        Arguments.of("a".repeat(63), List.of()),
        Arguments.of("a".repeat(64), List.of("name part must be no more than 63 characters")),
        Arguments.of("", List.of("name part must be non-empty", NAME_PART_ERR)),
        Arguments.of("/a", List.of("prefix part must be non-empty")),
        Arguments.of("a/", List.of("name part must be non-empty", NAME_PART_ERR)),
        Arguments.of("Example.com/a", List.of("prefix part " + SUBDOMAIN_ERR)),
        Arguments.of("-a", List.of(NAME_PART_ERR)),
        Arguments.of("a b", List.of(NAME_PART_ERR)),
        Arguments.of("a/b/c", List.of("a qualified name must consist of alphanumeric characters, '-', '_' or '.', "
            + "and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
            + "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
            + "subdomain prefix and '/' (e.g. 'example.com/MyName')")));
  }

  @ParameterizedTest
  @MethodSource("qualifiedNames")
  void qualifiedNamesGiveUpstreamMessages(String name, List<String> expected) {
    assertEquals(expected, Validation.isQualifiedName(name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a", "A-b_c.D", "0123456789"})
  void validLabelValues(String value) {
    assertEquals(List.of(), Validation.isValidLabelValue(value));
  }

  @Test
  void invalidLabelValues() {
    assertEquals(List.of(LABEL_VALUE_ERR), Validation.isValidLabelValue("a b"));
    assertEquals(List.of(LABEL_VALUE_ERR), Validation.isValidLabelValue("-a"));
    assertEquals(List.of("must be no more than 63 characters"), Validation.isValidLabelValue("a".repeat(64)));
  }

  @Test
  void checksStayLinearOnHugeInput() {
    String huge = "a-".repeat(1_000_000) + "-";
    long start = System.nanoTime();
    assertEquals(2, Validation.isDns1123Subdomain(huge).size());
    assertEquals(2, Validation.isQualifiedName(huge).size());
    assertTrue(System.nanoTime() - start < 5_000_000_000L, "validation of a 2 MB name must not backtrack");
  }

  @Test
  void generateNameAllowsATrailingDashLikeUpstream() {
    assertEquals(List.of(), NameRule.DNS_SUBDOMAIN.validate("web-", true));
    assertEquals(List.of(SUBDOMAIN_ERR), NameRule.DNS_SUBDOMAIN.validate("web-", false));
    assertEquals(List.of(), NameRule.DNS_LABEL.validate("-", true));
    // upstream masks the last two characters, so a 254-byte prefix ending in '-' still fits 253
    assertEquals(List.of(), NameRule.DNS_SUBDOMAIN.validate("a".repeat(253) + "-", true));
  }

  // ---- object metadata ----

  private static ObjectNode meta(String json) {
    return (ObjectNode) TestJson.parse(json);
  }

  private static List<String> render(List<Status.Cause> causes) {
    return causes.stream().map(c -> c.reason() + " " + c.field() + ": " + c.message()).collect(Collectors.toList());
  }

  @Test
  void validMetadataHasNoCauses() {
    ObjectNode m = meta("""
        {"name":"web","namespace":"default","labels":{"app":"web","example.com/tier":""},
         "annotations":{"Example.com/Note":"x"},"finalizers":["example.com/cleanup"],"generation":3,
         "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-1","uid":"u1","controller":true}],
         "managedFields":[{"manager":"kubectl","operation":"Apply","fieldsType":"FieldsV1"}]}""");
    assertEquals(List.of(), Validation.validateObjectMeta(m, true, NameRule.DNS_SUBDOMAIN, "metadata"));
  }

  @Test
  void nameIsRequiredAndValidated() {
    assertEquals(List.of("FieldValueRequired metadata.name: Required value: name or generateName is required"),
        render(Validation.validateObjectMeta(meta("{}"), false, NameRule.DNS_SUBDOMAIN, "metadata")));
    assertEquals(List.of("FieldValueInvalid metadata.name: Invalid value: \"Web\": " + SUBDOMAIN_ERR),
        render(Validation.validateObjectMeta(meta("{\"name\":\"Web\"}"), false, NameRule.DNS_SUBDOMAIN,
            "metadata")));
    assertEquals(List.of("FieldValueInvalid metadata.generateName: Invalid value: \"Web-\": " + SUBDOMAIN_ERR,
            "FieldValueRequired metadata.name: Required value: name or generateName is required"),
        render(Validation.validateObjectMeta(meta("{\"generateName\":\"Web-\"}"), false, NameRule.DNS_SUBDOMAIN,
            "metadata")));
  }

  @Test
  void namespaceIsRequiredForNamespacedAndForbiddenOtherwise() {
    assertEquals(List.of("FieldValueRequired metadata.namespace: Required value"),
        render(Validation.validateObjectMeta(meta("{\"name\":\"a\"}"), true, NameRule.DNS_SUBDOMAIN, "metadata")));
    assertEquals(List.of("FieldValueForbidden metadata.namespace: Forbidden: not allowed on this type"),
        render(Validation.validateObjectMeta(meta("{\"name\":\"a\",\"namespace\":\"x\"}"), false,
            NameRule.DNS_SUBDOMAIN, "metadata")));
    assertEquals(List.of("FieldValueInvalid metadata.namespace: Invalid value: \"a.b\": must not contain dots"),
        render(Validation.validateObjectMeta(meta("{\"name\":\"a\",\"namespace\":\"a.b\"}"), true,
            NameRule.DNS_SUBDOMAIN, "metadata")));
  }

  @Test
  void labelsAndAnnotationsUseTheMapPathAsField() {
    ObjectNode m = meta("{\"name\":\"a\",\"labels\":{\"a b\":\"x y\"},\"annotations\":{\"/x\":\"1\"}}");
    assertEquals(List.of(
        "FieldValueInvalid metadata.labels: Invalid value: \"a b\": " + NAME_PART_ERR,
        "FieldValueInvalid metadata.labels: Invalid value: \"x y\": " + LABEL_VALUE_ERR,
        "FieldValueInvalid metadata.annotations: Invalid value: \"/x\": prefix part must be non-empty"),
        render(Validation.validateObjectMeta(m, false, NameRule.DNS_SUBDOMAIN, "metadata")));
  }

  @Test
  void annotationsMayTotal256KiB() {
    ObjectNode m = meta("{\"name\":\"a\"}");
    m.putObject("annotations").put("k", "v".repeat(262144 - 1));
    assertEquals(List.of(), Validation.validateObjectMeta(m, false, NameRule.DNS_SUBDOMAIN, "metadata"));
    ((ObjectNode) m.get("annotations")).put("k", "v".repeat(262144));
    List<Status.Cause> causes = Validation.validateObjectMeta(m, false, NameRule.DNS_SUBDOMAIN, "metadata");
    assertEquals(List.of("FieldValueTooLong metadata.annotations: Too long: must have at most 262144 bytes"),
        render(causes));
    ApiException e = ApiException.invalid("", "ConfigMap", "a", causes);
    assertEquals("ConfigMap \"a\" is invalid: metadata.annotations: Too long: must have at most 262144 bytes",
        e.getMessage());
  }

  @Test
  void finalizersMustBeQualifiedNamesAndNotConflict() {
    ObjectNode m = meta("{\"name\":\"a\",\"finalizers\":[\"orphan\",\"foregroundDeletion\",\"a/b/c\"]}");
    List<String> got = render(Validation.validateObjectMeta(m, false, NameRule.DNS_SUBDOMAIN, "metadata"));
    assertEquals(2, got.size());
    assertTrue(got.get(0).startsWith("FieldValueInvalid metadata.finalizers: Invalid value: \"a/b/c\": a qualified"));
    assertEquals("FieldValueInvalid metadata.finalizers: Invalid value: []string{\"orphan\", "
        + "\"foregroundDeletion\", \"a/b/c\"}: finalizer orphan and foregroundDeletion cannot be both set", got.get(1));
  }

  @Test
  void ownerReferencesNeedApiVersionKindNameAndUid() {
    ObjectNode m = meta("{\"name\":\"a\",\"ownerReferences\":[{\"apiVersion\":\"apps/\"},"
        + "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"name\":\"e\",\"uid\":\"1\"}]}");
    List<String> got = render(Validation.validateObjectMeta(m, false, NameRule.DNS_SUBDOMAIN, "metadata"));
    assertEquals(List.of(
        "FieldValueInvalid metadata.ownerReferences.apiVersion: Invalid value: \"apps/\": version must not be empty",
        "FieldValueInvalid metadata.ownerReferences.kind: Invalid value: \"\": must not be empty",
        "FieldValueInvalid metadata.ownerReferences.name: Invalid value: \"\": must not be empty",
        "FieldValueInvalid metadata.ownerReferences.uid: Invalid value: \"\": must not be empty",
        "FieldValueInvalid metadata.ownerReferences: Invalid value: v1.OwnerReference{APIVersion:\"v1\", "
            + "Kind:\"Event\", Name:\"e\", UID:\"1\", Controller:(*bool)(nil), BlockOwnerDeletion:(*bool)(nil)}: "
            + "/v1, Kind=Event is disallowed from being an owner"), got);
  }

  @Test
  void onlyOneOwnerMayBeTheController() {
    ObjectNode m = meta("{\"name\":\"a\",\"ownerReferences\":["
        + "{\"apiVersion\":\"v1\",\"kind\":\"A\",\"name\":\"x\",\"uid\":\"1\",\"controller\":true},"
        + "{\"apiVersion\":\"v1\",\"kind\":\"B\",\"name\":\"y\",\"uid\":\"2\",\"controller\":true}]}");
    List<String> got = render(Validation.validateObjectMeta(m, false, NameRule.DNS_SUBDOMAIN, "metadata"));
    assertEquals(1, got.size());
    assertTrue(got.get(0).endsWith(": Only one reference can have Controller set to true. Found \"true\" in "
        + "references for A/x and B/y"), got.get(0));
  }

  @Test
  void negativeGenerationAndBadManagedFields() {
    ObjectNode m = meta("{\"name\":\"a\",\"generation\":-1,\"managedFields\":[{\"manager\":\"m\",\"operation\":\"X\","
        + "\"fieldsType\":\"FieldsV2\"}]}");
    assertEquals(List.of(
        "FieldValueInvalid metadata.generation: Invalid value: -1: must be greater than or equal to 0",
        "FieldValueInvalid metadata.managedFields[0].operation: Invalid value: \"X\": must be `Apply` or `Update`",
        "FieldValueInvalid metadata.managedFields[0].fieldsType: Invalid value: \"FieldsV2\": must be `FieldsV1`"),
        render(Validation.validateObjectMeta(m, false, NameRule.DNS_SUBDOMAIN, "metadata")));
  }

  @Test
  void wronglyTypedFieldsBecomeCausesNotExceptions() {
    ObjectNode m = meta("{\"name\":5,\"labels\":[1],\"annotations\":{\"a\":1},\"finalizers\":\"x\"}");
    List<String> got = render(Validation.validateObjectMeta(m, false, NameRule.DNS_SUBDOMAIN, "nested.metadata"));
    assertEquals(List.of(
        "FieldValueInvalid nested.metadata.name: Invalid value: 5: must be a string",
        "FieldValueRequired nested.metadata.name: Required value: name or generateName is required",
        "FieldValueInvalid nested.metadata.labels: Invalid value: [1]: must be a map of string keys to string values",
        "FieldValueInvalid nested.metadata.annotations[a]: Invalid value: 1: must be a string",
        "FieldValueInvalid nested.metadata.finalizers: Invalid value: \"x\": must be an array of strings"), got);
  }

  @Test
  void fieldErrorsQuoteLikeGo() {
    JsonNode v = TestJson.parse("\"tab\\there \\\"q\\\" \\u0001 é\"");
    assertEquals("Invalid value: \"tab\\there \\\"q\\\" \\x01 é\": bad",
        FieldErrors.invalid("f", v, "bad").message());
    assertEquals("Unsupported value: \"x\": supported values: \"A\", \"B\"",
        FieldErrors.notSupported("f", "x", List.of("A", "B")).message());
    assertEquals("Duplicate value: 3", FieldErrors.duplicate("f", 3).message());
  }
}
