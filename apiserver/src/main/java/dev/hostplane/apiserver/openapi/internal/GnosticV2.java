package dev.hostplane.apiserver.openapi.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.api.Codecs;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Encodes a Swagger 2.0 JSON document as gnostic's {@code openapi.v2.Document} protobuf (what kubectl asks
 * {@code /openapi/v2} for), covering the subset our documents use: info, paths with operations, parameters and
 * responses, and schemas (ref, format, type, required, properties, items, additionalProperties, vendor
 * extensions). Field numbers are those of gnostic's published {@code openapiv2/OpenAPIv2.proto}. Vendor extension
 * values are written as YAML (in JSON notation, which YAML reads), as gnostic's {@code Any.yaml}. Not API.
 */
public final class GnosticV2 {
  private GnosticV2() {}

  public static byte[] encode(JsonNode doc) {
    Msg d = new Msg();
    d.string(1, doc.path("swagger").asText("2.0"));
    Msg info = new Msg();
    info.string(1, doc.path("info").path("title").asText(""));
    info.string(2, doc.path("info").path("version").asText(""));
    d.message(2, info);
    Msg paths = new Msg();
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("paths").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Msg named = new Msg();
      named.string(1, e.getKey());
      named.message(2, pathItem(e.getValue()));
      paths.message(2, named);
    }
    d.message(8, paths);
    Msg defs = new Msg();
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("definitions").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      defs.message(1, namedSchema(e.getKey(), e.getValue()));
    }
    d.message(9, defs);
    return d.bytes();
  }

  private static Msg pathItem(JsonNode item) {
    Msg m = new Msg();
    String[] ops = {"get", "put", "post", "delete", "options", "head", "patch"};
    for (int i = 0; i < ops.length; i++) {
      if (item.has(ops[i])) {
        m.message(2 + i, operation(item.get(ops[i])));
      }
    }
    for (JsonNode p : item.path("parameters")) {
      m.message(9, parametersItem(p));
    }
    return m;
  }

  private static Msg operation(JsonNode op) {
    Msg m = new Msg();
    if (op.has("operationId")) {
      m.string(5, op.get("operationId").asText());
    }
    op.path("produces").forEach(p -> m.string(6, p.asText()));
    op.path("consumes").forEach(c -> m.string(7, c.asText()));
    op.path("parameters").forEach(p -> m.message(8, parametersItem(p)));
    Msg responses = new Msg();
    for (Iterator<Map.Entry<String, JsonNode>> it = op.path("responses").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Msg response = new Msg();
      response.string(1, e.getValue().path("description").asText(""));
      if (e.getValue().has("schema")) {
        Msg schemaItem = new Msg();
        schemaItem.message(1, schema(e.getValue().get("schema")));
        response.message(2, schemaItem);
      }
      Msg value = new Msg();
      value.message(1, response);
      Msg named = new Msg();
      named.string(1, e.getKey());
      named.message(2, value);
      responses.message(1, named);
    }
    m.message(9, responses);
    vendorExtensions(m, 13, op);
    return m;
  }

  private static Msg parametersItem(JsonNode p) {
    Msg parameter = new Msg();
    String in = p.path("in").asText();
    if (in.equals("body")) {
      Msg body = new Msg();
      body.string(2, p.path("name").asText());
      body.string(3, in);
      body.bool(4, p.path("required").asBoolean(false));
      if (p.has("schema")) {
        body.message(5, schema(p.get("schema")));
      }
      parameter.message(1, body);
    } else {
      Msg sub = new Msg();
      sub.bool(1, p.path("required").asBoolean(false));
      sub.string(2, in);
      sub.string(4, p.path("name").asText());
      Msg nonBody = new Msg();
      if (in.equals("path")) {
        sub.string(5, p.path("type").asText("string"));
        nonBody.message(4, sub);
      } else {
        sub.string(6, p.path("type").asText("string"));
        sub.bool(20, p.path("uniqueItems").asBoolean(false));
        nonBody.message(3, sub);
      }
      parameter.message(2, nonBody);
    }
    Msg item = new Msg();
    item.message(1, parameter);
    return item;
  }

  private static Msg namedSchema(String name, JsonNode s) {
    Msg m = new Msg();
    m.string(1, name);
    m.message(2, schema(s));
    return m;
  }

  static Msg schema(JsonNode s) {
    Msg m = new Msg();
    if (s.has("$ref")) {
      m.string(1, s.get("$ref").asText());
    }
    if (s.has("format")) {
      m.string(2, s.get("format").asText());
    }
    s.path("required").forEach(r -> m.string(19, r.asText()));
    JsonNode additional = s.get("additionalProperties");
    if (additional != null) {
      Msg item = new Msg();
      if (additional.isBoolean()) {
        item.bool(2, additional.asBoolean());
      } else {
        item.message(1, schema(additional));
      }
      m.message(21, item);
    }
    if (s.has("type")) {
      Msg type = new Msg();
      type.string(1, s.get("type").asText());
      m.message(22, type);
    }
    if (s.has("items")) {
      Msg items = new Msg();
      items.message(1, schema(s.get("items")));
      m.message(23, items);
    }
    if (s.has("properties")) {
      Msg props = new Msg();
      for (Iterator<Map.Entry<String, JsonNode>> it = s.get("properties").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        props.message(1, namedSchema(e.getKey(), e.getValue()));
      }
      m.message(25, props);
    }
    vendorExtensions(m, 31, s);
    return m;
  }

  private static void vendorExtensions(Msg m, int field, JsonNode node) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getKey().startsWith("x-")) {
        continue;
      }
      Msg any = new Msg();
      byte[] json = Codecs.writeJson(e.getValue());
      any.string(2, new String(json, StandardCharsets.UTF_8));
      Msg named = new Msg();
      named.string(1, e.getKey());
      named.message(2, any);
      m.message(field, named);
    }
  }

  /** A protobuf message being written: length-delimited and varint fields only. */
  static final class Msg {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void string(int field, String value) {
      bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    void bytes(int field, byte[] value) {
      varint((field << 3) | 2);
      varint(value.length);
      out.writeBytes(value);
    }

    void message(int field, Msg value) {
      bytes(field, value.bytes());
    }

    /** proto3: false is the default and is not written. */
    void bool(int field, boolean value) {
      if (value) {
        varint(field << 3);
        varint(1);
      }
    }

    private void varint(long v) {
      while ((v & ~0x7FL) != 0) {
        out.write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
