package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Keys and sizes of ConfigMap and Secret data (upstream IsConfigMapKey, MaxSecretSize). */
final class DataKeys {
  private DataKeys() {}

  static final int MAX_SIZE = 1024 * 1024;
  static final String IMMUTABLE_MSG = "field is immutable when `immutable` is set";
  private static final Pattern KEY = Pattern.compile("[-._a-zA-Z0-9]+");

  /** Upstream IsConfigMapKey: the problems with {@code key}, empty when valid. */
  static List<String> keyErrors(String key) {
    List<String> out = new ArrayList<>();
    if (key.length() > 253) {
      out.add("must be no more than 253 characters");
    }
    if (!KEY.matcher(key).matches()) {
      out.add("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
          + "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
    }
    if (key.equals(".")) {
      out.add("must not be '.'");
    } else if (key.equals("..")) {
      out.add("must not be '..'");
    } else if (key.startsWith("..")) {
      out.add("must not start with '..'");
    }
    return out;
  }

  /** Validates every key of the map at {@code field}, reporting at {@code field[key]}. */
  static void validateKeys(ObjectNode obj, String field, CauseList errs) {
    for (String key : Nodes.stringMap(obj, field).keySet()) {
      errs.invalidEach(field + "[" + key + "]", key, keyErrors(key));
    }
  }

  /**
   * Decodes the base64 values of {@code field}; an undecodable value is Invalid at {@code field[key]} (upstream
   * rejects it while decoding). Returns the total decoded size in bytes.
   */
  static long decodedSize(ObjectNode obj, String field, CauseList errs) {
    long total = 0;
    for (Map.Entry<String, String> e : Nodes.stringMap(obj, field).entrySet()) {
      byte[] bytes = decode(e.getValue());
      if (bytes == null) {
        errs.invalid(field + "[" + e.getKey() + "]", new CauseList.Raw("\"<secret contents redacted>\""),
            "illegal base64 data");
      } else {
        total += bytes.length;
      }
    }
    return total;
  }

  /** The bytes of a base64 value, or null when it is not valid base64. */
  static byte[] decode(String value) {
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static long utf8Size(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
