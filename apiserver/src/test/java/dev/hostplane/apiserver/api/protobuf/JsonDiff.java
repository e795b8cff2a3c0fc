package dev.hostplane.apiserver.api.protobuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/** Where two JSON trees differ, as readable paths, for assertion messages. */
final class JsonDiff {
  private JsonDiff() {}

  static List<String> paths(JsonNode expected, JsonNode actual) {
    List<String> out = new ArrayList<>();
    diff("", expected, actual, out);
    return out;
  }

  private static void diff(String path, JsonNode e, JsonNode a, List<String> out) {
    if (e == null || a == null) {
      out.add(path + ": expected " + e + " but was " + a);
      return;
    }
    if (e.isObject() && a.isObject()) {
      TreeSet<String> names = new TreeSet<>();
      e.fieldNames().forEachRemaining(names::add);
      a.fieldNames().forEachRemaining(names::add);
      for (String n : names) {
        diff(path + "." + n, e.get(n), a.get(n), out);
      }
      return;
    }
    if (e.isArray() && a.isArray() && e.size() == a.size()) {
      Iterator<JsonNode> ie = e.elements();
      Iterator<JsonNode> ia = a.elements();
      for (int i = 0; ie.hasNext(); i++) {
        diff(path + "[" + i + "]", ie.next(), ia.next(), out);
      }
      return;
    }
    if (!e.equals(a)) {
      out.add(path + ": expected " + e + " (" + e.getNodeType() + ") but was " + a + " (" + a.getNodeType() + ")");
    }
  }
}
