package dev.hostplane.apiserver.authn;

import java.util.ArrayList;
import java.util.List;

/** Audience lists as upstream's authenticator.Audiences. */
final class Audiences {
  private Audiences() {}

  /** The members of {@code a} also in {@code b}, in {@code a}'s order. */
  static List<String> intersect(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>();
    for (String x : a) {
      if (b.contains(x) && !out.contains(x)) {
        out.add(x);
      }
    }
    return out;
  }

  /** Go's {@code %q} of a string slice: {@code ["a" "b"]}. */
  static String quoted(List<String> list) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        s.append(' ');
      }
      s.append('"').append(list.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return s.append(']').toString();
  }
}
