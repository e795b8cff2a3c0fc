package dev.hostplane.apiserver.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.internal.ObjectMetaRules;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Upstream's name and metadata rules ({@code k8s.io/apimachinery/pkg/util/validation} and
 * {@code pkg/api/validation}), with upstream's messages word for word.
 *
 * <p>The {@code is*} checks return the list of problems (empty when valid), as upstream does; callers wrap each in
 * a {@link FieldErrors#invalid} cause. Lengths are counted in UTF-8 bytes, like Go's {@code len}. The character
 * checks are hand-written linear scans equivalent to upstream's regular expressions (which are quoted in the
 * messages), so arbitrarily long input cannot make them backtrack.
 */
public final class Validation {
  public static final int DNS1123_LABEL_MAX_LENGTH = 63;
  public static final int DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
  public static final int DNS1035_LABEL_MAX_LENGTH = 63;
  public static final int QUALIFIED_NAME_MAX_LENGTH = 63;
  public static final int LABEL_VALUE_MAX_LENGTH = 63;
  /** Upstream's TotalAnnotationSizeLimitB: keys plus values of all annotations, in bytes. */
  public static final int TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;

  static final String DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  static final String DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*";
  static final String DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
  static final String QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
  static final String LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?";

  private static final String DNS1123_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case "
      + "alphanumeric characters or '-', and must start and end with an alphanumeric character";
  private static final String DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case "
      + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
  private static final String DNS1035_LABEL_MSG = "a DNS-1035 label must consist of lower case alphanumeric "
      + "characters or '-', start with an alphabetic character, and end with an alphanumeric character";
  private static final String QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', "
      + "and must start and end with an alphanumeric character";
  private static final String LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric "
      + "characters, '-', '_' or '.', and must start and end with an alphanumeric character";

  private Validation() {}

  /** RFC 1123 label: at most 63 bytes of {@code [a-z0-9]([-a-z0-9]*[a-z0-9])?}. Namespace names follow this. */
  public static List<String> isDns1123Label(String value) {
    List<String> errs = new ArrayList<>();
    if (utf8Length(value) > DNS1123_LABEL_MAX_LENGTH) {
      errs.add(maxLenError(DNS1123_LABEL_MAX_LENGTH));
    }
    if (!isLabel(value, 0, value.length(), false)) {
      if (isSubdomain(value)) {
        errs.add("must not contain dots");
      } else {
        errs.add(regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, "my-name", "123-abc"));
      }
    }
    return errs;
  }

  /** RFC 1123 subdomain: at most 253 bytes of dot-separated labels. Most object names follow this. */
  public static List<String> isDns1123Subdomain(String value) {
    List<String> errs = new ArrayList<>();
    if (utf8Length(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) {
      errs.add(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    if (!isSubdomain(value)) {
      errs.add(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, "example.com"));
    }
    return errs;
  }

  /** RFC 1035 label: like an RFC 1123 label but starting with a letter. Service names follow this. */
  public static List<String> isDns1035Label(String value) {
    List<String> errs = new ArrayList<>();
    if (utf8Length(value) > DNS1035_LABEL_MAX_LENGTH) {
      errs.add(maxLenError(DNS1035_LABEL_MAX_LENGTH));
    }
    if (!isLabel(value, 0, value.length(), true)) {
      errs.add(regexError(DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, "my-name", "abc-123"));
    }
    return errs;
  }

  /**
   * A name that can be one segment of a URL path: not {@code .} or {@code ..}, no {@code /} or {@code %}. Like
   * upstream, neither emptiness nor length is checked.
   */
  public static List<String> isPathSegmentName(String name) {
    if (name.equals(".") || name.equals("..")) {
      return List.of("may not be '" + name + "'");
    }
    return isPathSegmentPrefix(name);
  }

  /** The part of {@link #isPathSegmentName} that applies to a prefix (a generateName). */
  public static List<String> isPathSegmentPrefix(String name) {
    List<String> errs = new ArrayList<>();
    if (name.contains("/")) {
      errs.add("may not contain '/'");
    }
    if (name.contains("%")) {
      errs.add("may not contain '%'");
    }
    return errs;
  }

  /**
   * A qualified name, as used for label and annotation keys and finalizers: an optional DNS subdomain prefix and
   * {@code /}, then a name of at most 63 bytes of {@code ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]}.
   */
  public static List<String> isQualifiedName(String value) {
    List<String> errs = new ArrayList<>();
    String name;
    int slash = value.indexOf('/');
    if (slash < 0) {
      name = value;
    } else if (value.indexOf('/', slash + 1) < 0) {
      String prefix = value.substring(0, slash);
      name = value.substring(slash + 1);
      if (prefix.isEmpty()) {
        errs.add("prefix part must be non-empty");
      } else {
        for (String msg : isDns1123Subdomain(prefix)) {
          errs.add("prefix part " + msg);
        }
      }
    } else {
      errs.add("a qualified name " + regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name",
          "123-abc") + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return errs;
    }
    if (name.isEmpty()) {
      errs.add("name part must be non-empty");
    } else if (utf8Length(name) > QUALIFIED_NAME_MAX_LENGTH) {
      errs.add("name part " + maxLenError(QUALIFIED_NAME_MAX_LENGTH));
    }
    if (!isQualifiedNamePart(name)) {
      errs.add("name part " + regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"));
    }
    return errs;
  }

  /** A label value: empty, or at most 63 bytes of {@code ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]}. */
  public static List<String> isValidLabelValue(String value) {
    List<String> errs = new ArrayList<>();
    if (utf8Length(value) > LABEL_VALUE_MAX_LENGTH) {
      errs.add(maxLenError(LABEL_VALUE_MAX_LENGTH));
    }
    if (!value.isEmpty() && !isQualifiedNamePart(value)) {
      errs.add(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
    }
    return errs;
  }

  /**
   * Validates {@code metadata.labels}-shaped maps: each key a qualified name, each value a label value. Causes
   * carry {@code path} itself as their field, as upstream's do. A null or missing node is valid.
   */
  public static List<Status.Cause> validateLabels(JsonNode labels, String path) {
    return ObjectMetaRules.labels(labels, path);
  }

  /**
   * Validates annotations: keys are qualified names (compared in lower case), and keys plus values total at most
   * {@link #TOTAL_ANNOTATION_SIZE_LIMIT_BYTES}.
   */
  public static List<Status.Cause> validateAnnotations(JsonNode annotations, String path) {
    return ObjectMetaRules.annotations(annotations, path);
  }

  /**
   * Validates an object's metadata on create, as upstream's {@code ValidateObjectMeta}: name (or generateName)
   * against {@code rule}, namespace required for namespaced types and forbidden otherwise, generation not negative,
   * labels, annotations, owner references, finalizers and managed fields. {@code path} is the field path of the
   * metadata object itself, usually {@code metadata}. Never mutates {@code metadata}; never throws for bad input (a
   * wrongly typed field becomes a cause).
   */
  public static List<Status.Cause> validateObjectMeta(ObjectNode metadata, boolean namespaced, NameRule rule,
      String path) {
    return ObjectMetaRules.validate(metadata, namespaced, rule, path);
  }

  /** Upstream's {@code MaxLenError}. */
  public static String maxLenError(int length) {
    return "must be no more than " + length + " characters";
  }

  /** Upstream's {@code RegexError}: the message, then the examples and the regular expression in parentheses. */
  public static String regexError(String msg, String fmt, String... examples) {
    if (examples.length == 0) {
      return msg + " (regex used for validation is '" + fmt + "')";
    }
    StringBuilder sb = new StringBuilder(msg).append(" (e.g. ");
    for (int i = 0; i < examples.length; i++) {
      if (i > 0) {
        sb.append(" or ");
      }
      sb.append('\'').append(examples[i]).append("', ");
    }
    return sb.append("regex used for validation is '").append(fmt).append("')").toString();
  }

  /** The length Go's {@code len} reports for a string: its UTF-8 bytes. */
  public static int utf8Length(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return s.getBytes(StandardCharsets.UTF_8).length;
      }
    }
    return s.length();
  }

  // [a-z0-9]([-a-z0-9]*[a-z0-9])? over s[from, to); with letterFirst, [a-z]([-a-z0-9]*[a-z0-9])?.
  private static boolean isLabel(String s, int from, int to, boolean letterFirst) {
    if (from >= to) {
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      boolean alnum = c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
      if (!alnum && c != '-') {
        return false;
      }
    }
    char first = s.charAt(from);
    char last = s.charAt(to - 1);
    boolean firstOk = letterFirst ? first >= 'a' && first <= 'z' : first != '-';
    return firstOk && last != '-';
  }

  private static boolean isSubdomain(String s) {
    int start = 0;
    while (true) {
      int dot = s.indexOf('.', start);
      int end = dot < 0 ? s.length() : dot;
      if (!isLabel(s, start, end, false)) {
        return false;
      }
      if (dot < 0) {
        return true;
      }
      start = dot + 1;
    }
  }

  // ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
  private static boolean isQualifiedNamePart(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!isAlnum(c) && c != '-' && c != '_' && c != '.') {
        return false;
      }
    }
    return isAlnum(s.charAt(0)) && isAlnum(s.charAt(s.length() - 1));
  }

  private static boolean isAlnum(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
  }
}
