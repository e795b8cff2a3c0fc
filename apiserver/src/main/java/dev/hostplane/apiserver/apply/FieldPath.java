package dev.hostplane.apiserver.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.hostplane.apiserver.api.internal.GoFormat;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * A path from an object's root to one field or list item, as upstream's {@code fieldpath.Path}: a list of
 * {@link Element}s. Immutable. {@link #toString()} renders it as conflict messages do:
 * {@code .spec.containers[name="web"].image}, {@code .metadata.finalizers[="a"]}, {@code .x[0]}.
 */
public final class FieldPath {
  private static final FieldPath ROOT = new FieldPath(List.of());

  private final List<Element> elements;

  private FieldPath(List<Element> elements) {
    this.elements = elements;
  }

  /** The empty path (the object itself). */
  public static FieldPath root() {
    return ROOT;
  }

  public static FieldPath of(Element... elements) {
    return new FieldPath(List.of(elements));
  }

  public static FieldPath of(List<Element> elements) {
    return new FieldPath(List.copyOf(elements));
  }

  /** A path of field names only: {@code fields("spec", "replicas")} is {@code .spec.replicas}. */
  public static FieldPath fields(String... names) {
    List<Element> out = new ArrayList<>(names.length);
    for (String n : names) {
      out.add(new Field(n));
    }
    return new FieldPath(List.copyOf(out));
  }

  public List<Element> elements() {
    return elements;
  }

  public int size() {
    return elements.size();
  }

  public boolean isEmpty() {
    return elements.isEmpty();
  }

  /** This path with {@code e} appended. */
  public FieldPath child(Element e) {
    List<Element> out = new ArrayList<>(elements.size() + 1);
    out.addAll(elements);
    out.add(e);
    return new FieldPath(List.copyOf(out));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldPath p && p.elements.equals(elements);
  }

  @Override
  public int hashCode() {
    return elements.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (Element e : elements) {
      b.append(e);
    }
    return b.toString();
  }

  // ------------------------------------------------------------------------------------------ elements

  /**
   * One step of a path. Ordered as upstream orders them (and so as FieldsV1 lists them): field names first, then
   * list-map keys, then set values, then indices. Values inside are normalized (see {@link #scalar}), so equal JSON
   * values give equal elements.
   */
  public sealed interface Element extends Comparable<Element> permits Field, Key, Value, Index {
    /** Position of this element's kind in upstream's order. */
    int rank();

    @Override
    default int compareTo(Element o) {
      int r = Integer.compare(rank(), o.rank());
      if (r != 0) {
        return r;
      }
      if (this instanceof Field f) {
        return compareStrings(f.name(), ((Field) o).name());
      }
      if (this instanceof Key k) {
        return compareKeys(k.fields(), ((Key) o).fields());
      }
      if (this instanceof Value v) {
        return compareValues(v.value(), ((Value) o).value());
      }
      return Integer.compare(((Index) this).index(), ((Index) o).index());
    }
  }

  /** A field of an object or an entry of a map: {@code f:<name>}. */
  public record Field(String name) implements Element {
    public Field {
      Objects.requireNonNull(name);
    }

    @Override
    public int rank() {
      return 0;
    }

    @Override
    public String toString() {
      return "." + name;
    }
  }

  /** An item of a list of type map, by its key fields sorted by name: {@code k:{"name":"web"}}. */
  public record Key(List<KeyField> fields) implements Element {
    public Key {
      List<KeyField> sorted = new ArrayList<>(fields);
      sorted.sort(Comparator.comparing(KeyField::name, FieldPath::compareStrings));
      fields = List.copyOf(sorted);
    }

    /** A key of one field. */
    public static Key of(String name, JsonNode value) {
      return new Key(List.of(new KeyField(name, value)));
    }

    @Override
    public int rank() {
      return 1;
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("[");
      for (int i = 0; i < fields.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        b.append(fields.get(i).name()).append('=').append(render(fields.get(i).value()));
      }
      return b.append(']').toString();
    }
  }

  /** One key field of a {@link Key}; the value is normalized. */
  public record KeyField(String name, JsonNode value) {
    public KeyField {
      Objects.requireNonNull(name);
      value = scalar(value);
    }
  }

  /** An item of a list of type set, by its value: {@code v:"a"}. */
  public record Value(JsonNode value) implements Element {
    public Value {
      value = scalar(value);
    }

    @Override
    public int rank() {
      return 2;
    }

    @Override
    public String toString() {
      return "[=" + render(value) + "]";
    }
  }

  /** An item of a list by position: {@code i:0} (upstream never produces these for typed objects). */
  public record Index(int index) implements Element {
    @Override
    public int rank() {
      return 3;
    }

    @Override
    public String toString() {
      return "[" + index + "]";
    }
  }

  // ------------------------------------------------------------------------------------------ values

  /**
   * The canonical form of a value inside a path element: integral numbers that fit become long nodes, other
   * numbers double nodes (upstream compares ints and floats numerically), containers are normalized deeply, and a
   * missing value becomes JSON null.
   */
  public static JsonNode scalar(JsonNode v) {
    if (v == null || v.isMissingNode() || v.isNull()) {
      return NullNode.getInstance();
    }
    if (v.isNumber()) {
      if (v.isIntegralNumber()) {
        return v.canConvertToLong() ? LongNode.valueOf(v.longValue()) : DoubleNode.valueOf(v.doubleValue());
      }
      double d = v.doubleValue();
      if (Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 9.0e15) {
        return LongNode.valueOf((long) d);
      }
      return DoubleNode.valueOf(d);
    }
    if (v.isTextual()) {
      return v instanceof TextNode ? v : TextNode.valueOf(v.textValue());
    }
    if (v.isBoolean()) {
      return BooleanNode.valueOf(v.booleanValue());
    }
    if (v.isArray()) {
      var out = JsonNodeFactory.instance.arrayNode();
      v.forEach(x -> out.add(scalar(x)));
      return out;
    }
    if (v.isObject()) {
      var out = JsonNodeFactory.instance.objectNode();
      v.fields().forEachRemaining(e -> out.set(e.getKey(), scalar(e.getValue())));
      return out;
    }
    return TextNode.valueOf(v.asText());
  }

  /** Go's {@code value.ToString}: strings quoted as {@code %q}, numbers and booleans plain, null as null. */
  static String render(JsonNode v) {
    if (v == null || v.isNull()) {
      return "null";
    }
    if (v.isTextual()) {
      return GoFormat.quote(v.textValue());
    }
    if (v.isArray()) {
      List<String> parts = new ArrayList<>();
      v.forEach(x -> parts.add(render(x)));
      return "[" + String.join(",", parts) + "]";
    }
    if (v.isObject()) {
      StringBuilder b = new StringBuilder();
      v.fields().forEachRemaining(e -> b.append(e.getKey()).append('=').append(render(e.getValue())));
      return b.toString();
    }
    if (v.isDouble()) {
      return new BigDecimal(Double.toString(v.doubleValue())).stripTrailingZeros().toPlainString();
    }
    return v.asText();
  }

  /** Go's byte-wise string order (code-point order, which UTF-8 byte order equals). */
  static int compareStrings(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  private static int compareKeys(List<KeyField> a, List<KeyField> b) {
    for (int i = 0; ; i++) {
      if (i >= a.size() || i >= b.size()) {
        return Integer.compare(a.size(), b.size());
      }
      int c = compareStrings(a.get(i).name(), b.get(i).name());
      if (c != 0) {
        return c;
      }
      c = compareValues(a.get(i).value(), b.get(i).value());
      if (c != 0) {
        return c;
      }
    }
  }

  /** Upstream's total order over values: numbers, strings, booleans, lists, maps, null. */
  static int compareValues(JsonNode a, JsonNode b) {
    int ra = valueRank(a);
    int rb = valueRank(b);
    if (ra != rb) {
      return Integer.compare(ra, rb);
    }
    switch (ra) {
      case 0:
        return a.decimalValue().compareTo(b.decimalValue());
      case 1:
        return compareStrings(a.textValue(), b.textValue());
      case 2:
        return Boolean.compare(a.booleanValue(), b.booleanValue());
      case 3: {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
          int c = compareValues(a.get(i), b.get(i));
          if (c != 0) {
            return c;
          }
        }
        return Integer.compare(a.size(), b.size());
      }
      case 4: {
        List<String> ka = new ArrayList<>();
        a.fieldNames().forEachRemaining(ka::add);
        List<String> kb = new ArrayList<>();
        b.fieldNames().forEachRemaining(kb::add);
        ka.sort(FieldPath::compareStrings);
        kb.sort(FieldPath::compareStrings);
        Iterator<String> ia = ka.iterator();
        Iterator<String> ib = kb.iterator();
        while (ia.hasNext() && ib.hasNext()) {
          String x = ia.next();
          String y = ib.next();
          int c = compareStrings(x, y);
          if (c != 0) {
            return c;
          }
          c = compareValues(a.get(x), b.get(y));
          if (c != 0) {
            return c;
          }
        }
        return Integer.compare(ka.size(), kb.size());
      }
      default:
        return 0;
    }
  }

  private static int valueRank(JsonNode v) {
    if (v.isNumber()) {
      return 0;
    }
    if (v.isTextual()) {
      return 1;
    }
    if (v.isBoolean()) {
      return 2;
    }
    if (v.isArray()) {
      return 3;
    }
    if (v.isObject()) {
      return 4;
    }
    return 5;
  }
}
