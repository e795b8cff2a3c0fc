package dev.hostplane.apiserver.patch.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * An RFC 6901 JSON Pointer split into unescaped reference tokens ({@code ~1} is {@code /}, {@code ~0} is
 * {@code ~}, decoded in that order). The empty pointer refers to the whole document. Not API.
 */
public record JsonPointer(String text, List<String> tokens) {
  public JsonPointer {
    tokens = List.copyOf(tokens);
  }

  /** Parses {@code text}; throws IllegalArgumentException for a pointer not starting with {@code /} or a bad escape. */
  public static JsonPointer parse(String text) {
    List<String> tokens = new ArrayList<>();
    if (text.isEmpty()) {
      return new JsonPointer(text, tokens);
    }
    if (text.charAt(0) != '/') {
      throw new IllegalArgumentException("JSON pointer must be empty or start with '/': \"" + text + "\"");
    }
    StringBuilder token = new StringBuilder();
    for (int i = 1; i <= text.length(); i++) {
      char c = i < text.length() ? text.charAt(i) : '/';
      if (c == '/') {
        tokens.add(token.toString());
        token.setLength(0);
      } else if (c == '~') {
        char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
        if (next != '0' && next != '1') {
          throw new IllegalArgumentException("invalid escape in JSON pointer: \"" + text + "\"");
        }
        token.append(next == '0' ? '~' : '/');
        i++;
      } else {
        token.append(c);
      }
    }
    return new JsonPointer(text, tokens);
  }

  public boolean isRoot() {
    return tokens.isEmpty();
  }

  /** The pointer to the parent container; only for non-root pointers. */
  public JsonPointer parent() {
    int cut = text.lastIndexOf('/');
    return new JsonPointer(text.substring(0, cut), tokens.subList(0, tokens.size() - 1));
  }

  /** The last reference token; only for non-root pointers. */
  public String last() {
    return tokens.get(tokens.size() - 1);
  }

  /** Whether {@code other} points strictly inside the value this pointer refers to. */
  public boolean isProperPrefixOf(JsonPointer other) {
    return other.tokens.size() > tokens.size() && other.tokens.subList(0, tokens.size()).equals(tokens);
  }

  @Override
  public String toString() {
    return text;
  }
}
