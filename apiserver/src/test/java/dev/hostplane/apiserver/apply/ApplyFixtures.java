package dev.hostplane.apiserver.apply;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.TestJson;
import java.io.UncheckedIOException;
import java.time.Instant;

/** Objects, clocks and managedFields lookups shared by the apply tests. */
final class ApplyFixtures {
  static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  static final Instant T1 = Instant.parse("2024-05-01T10:05:00Z");
  static final Instant T2 = Instant.parse("2024-05-01T10:10:00Z");

  static final FieldManager DEPLOYMENTS = new FieldManager(TestSchemas.DEPLOYMENT, "Deployment", true);
  static final FieldManager CONFIG_MAPS = new FieldManager(TestSchemas.CONFIG_MAP, "ConfigMap", false);
  static final FieldManager SERVICES = new FieldManager(TestSchemas.SERVICE, "Service", true);

  private ApplyFixtures() {}

  /** JSON with single quotes for double quotes. */
  static ObjectNode obj(String singleQuoted) {
    return (ObjectNode) TestJson.parse(singleQuoted.replace('\'', '"'));
  }

  static JsonNode json(String singleQuoted) {
    return TestJson.parse(singleQuoted.replace('\'', '"'));
  }

  /** A Deployment config named web with the given spec (single-quoted JSON). */
  static ObjectNode deployment(String spec) {
    return obj("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','namespace':'default'},"
        + "'spec':" + spec + "}");
  }

  /** The usual Deployment: one container web running {@code image}, {@code replicas} replicas. */
  static ObjectNode webDeployment(int replicas, String image) {
    return obj("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','namespace':'default',"
        + "'labels':{'app':'web'}},'spec':{'replicas':" + replicas + ",'selector':{'matchLabels':{'app':'web'}},"
        + "'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':'web','image':'" + image
        + "'}]}}}}");
  }

  /** What a store adds to a created object. */
  static ObjectNode stored(ObjectNode obj) {
    ObjectNode copy = obj.deepCopy();
    ObjectNode meta = (ObjectNode) copy.get("metadata");
    meta.put("uid", "6f1c3c8e-0000-4000-8000-000000000001");
    meta.put("resourceVersion", "42");
    meta.put("creationTimestamp", "2024-05-01T09:00:00Z");
    return copy;
  }

  /** The managedFields entry of {@code manager} (any operation), or null. */
  static JsonNode entry(JsonNode obj, String manager) {
    for (JsonNode e : obj.path("metadata").path("managedFields")) {
      if (e.path("manager").asText().equals(manager)) {
        return e;
      }
    }
    return null;
  }

  /** The FieldsV1 of {@code manager}'s entry as compact JSON, or null without one. */
  static String fieldsOf(JsonNode obj, String manager) {
    JsonNode e = entry(obj, manager);
    return e == null ? null : compact(e.get("fieldsV1"));
  }

  static String compact(JsonNode n) {
    try {
      return Codecs.mapper().writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Single-quoted FieldsV1 text to what {@link #fieldsOf} returns (keys' inner quotes become \"). */
  static String v1(String singleQuoted) {
    return compact(json(singleQuoted));
  }
}
