package dev.hostplane.apiserver.apply.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.apply.FieldPath;
import dev.hostplane.apiserver.apply.FieldPath.Element;
import dev.hostplane.apiserver.apply.FieldSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeSet;

/**
 * Upstream's FieldsV1 encoding of a {@link FieldSet}: a JSON object whose keys are serialized path elements
 * ({@code f:<name>}, {@code k:<json object of key fields>}, {@code v:<json value>}, {@code i:<index>}) and whose
 * values are the sets below them; {@code "."} inside marks the element itself as a member, and {@code {}} is a member
 * with nothing below. Keys unknown to this version (another prefix letter) are dropped, as upstream drops them.
 * Not API.
 */
public final class FieldsV1 {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private FieldsV1() {}

  public static ObjectNode encode(FieldSet set) {
    ObjectNode out = NODES.objectNode();
    emit(set, out);
    return out;
  }

  private static void emit(FieldSet set, ObjectNode out) {
    TreeSet<Element> all = new TreeSet<>(set.members());
    NavigableMap<Element, FieldSet> children = set.children();
    all.addAll(children.keySet());
    for (Element e : all) {
      ObjectNode child = NODES.objectNode();
      FieldSet below = children.get(e);
      if (below != null) {
        if (set.members().contains(e)) {
          child.putObject(".");
        }
        emit(below, child);
      }
      out.set(serialize(e), child);
    }
  }

  /** The key text of one element. */
  public static String serialize(Element e) {
    if (e instanceof FieldPath.Field f) {
      return "f:" + f.name();
    }
    if (e instanceof FieldPath.Key k) {
      ObjectNode o = NODES.objectNode();
      for (FieldPath.KeyField kf : k.fields()) {
        o.set(kf.name(), kf.value());
      }
      return "k:" + json(o);
    }
    if (e instanceof FieldPath.Value v) {
      return "v:" + json(v.value());
    }
    return "i:" + ((FieldPath.Index) e).index();
  }

  private static String json(JsonNode n) {
    try {
      return Codecs.mapper().writeValueAsString(n);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
  }

  /** Parses FieldsV1 JSON; {@link IllegalArgumentException} when it is not an object of objects or a key is bad. */
  public static FieldSet decode(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException("FieldsV1 must be a JSON object");
    }
    FieldSet.Builder b = FieldSet.builder();
    read(json, b);
    return b.build();
  }

  /** Reads the entries of {@code node} into {@code into}; returns whether the node marks its own element a member. */
  private static boolean read(JsonNode node, FieldSet.Builder into) {
    if (!node.isObject()) {
      throw new IllegalArgumentException("expected a JSON object, found " + node.getNodeType());
    }
    boolean member = false;
    boolean sawChild = false;
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> entry = it.next();
      String key = entry.getKey();
      if (key.equals(".")) {
        member = true;
        continue;
      }
      Element e = deserialize(key);
      if (e == null) {
        continue; // a kind of element from a newer version: dropped
      }
      sawChild = true;
      FieldSet.Builder below = into.descend(e);
      if (read(entry.getValue(), below)) {
        into.member(e);
      }
    }
    return member || !sawChild;
  }

  /** One element from its key text; null for an unknown element kind. */
  public static Element deserialize(String s) {
    if (s.length() < 2) {
      throw new IllegalArgumentException("key must be 2 characters long: " + s);
    }
    if (s.charAt(1) != ':') {
      throw new IllegalArgumentException("missing colon: " + s);
    }
    String body = s.substring(2);
    switch (s.charAt(0)) {
      case 'f':
        return new FieldPath.Field(body);
      case 'v':
        return new FieldPath.Value(parse(body, s));
      case 'k': {
        JsonNode o = parse(body, s);
        if (!o.isObject()) {
          throw new IllegalArgumentException("key fields must be a JSON object: " + s);
        }
        List<FieldPath.KeyField> fields = new ArrayList<>();
        o.fields().forEachRemaining(f -> fields.add(new FieldPath.KeyField(f.getKey(), f.getValue())));
        return new FieldPath.Key(fields);
      }
      case 'i':
        try {
          return new FieldPath.Index(Integer.parseInt(body));
        } catch (NumberFormatException ex) {
          throw new IllegalArgumentException("invalid index: " + s);
        }
      default:
        return null;
    }
  }

  private static JsonNode parse(String body, String key) {
    try {
      return Codecs.mapper().readTree(body);
    } catch (JsonProcessingException | RuntimeException ex) {
      throw new IllegalArgumentException("invalid JSON in path element " + key);
    }
  }
}
