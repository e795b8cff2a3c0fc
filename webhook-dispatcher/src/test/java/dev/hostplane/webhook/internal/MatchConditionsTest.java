package dev.hostplane.webhook.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class MatchConditionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static MatchConditions compile(String... expressions) throws Exception {
    var arr = JSON.createArrayNode();
    for (int i = 0; i < expressions.length; i++) {
      arr.addObject().put("name", "c" + i).put("expression", expressions[i]);
    }
    return MatchConditions.compile(arr);
  }

  private static ObjectNode obj(String json) throws Exception {
    return (ObjectNode) JSON.readTree(json);
  }

  @Test
  void everyConditionMustBeTrue() throws Exception {
    MatchConditions c = compile("object.metadata.name.startsWith('a')", "request.operation == 'CREATE'");
    ObjectNode req = obj("{\"operation\":\"CREATE\"}");
    assertTrue(c.evaluate(obj("{\"metadata\":{\"name\":\"abc\"}}"), null, req).matches());
    MatchConditions.Result no = c.evaluate(obj("{\"metadata\":{\"name\":\"xyz\"}}"), null, req);
    assertFalse(no.matches());
    assertEquals("c0", no.failedCondition());
    assertNull(no.error());
  }

  @Test
  void nullOldObjectAndMissingFields() throws Exception {
    MatchConditions c = compile("oldObject == null", "has(object.metadata.labels) == false");
    MatchConditions.Result r = c.evaluate(obj("{\"metadata\":{}}"), null, obj("{}"));
    assertTrue(r.matches(), r.toString());
  }

  @Test
  void errorsAreReportedNotThrown() throws Exception {
    MatchConditions c = compile("object.nope.deeper");
    MatchConditions.Result r = c.evaluate(obj("{}"), null, obj("{}"));
    assertFalse(r.matches());
    assertTrue(r.error().startsWith("expression 'c0' resulted in error"), r.error());
    MatchConditions bad = compile("object.(");
    assertTrue(bad.evaluate(obj("{}"), null, obj("{}")).error().contains("compilation failed"));
  }
}
