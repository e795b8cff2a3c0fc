package dev.hostplane.apiserver.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.apply.FieldPath.Element;
import dev.hostplane.apiserver.apply.internal.FieldsV1;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An immutable set of {@link FieldPath}s, shaped as upstream's {@code fieldpath.Set}: at each level, the
 * elements that are members of the set themselves, and the child sets of elements with members below them. A path
 * is in the set only if it was inserted; its prefixes are not implied ({@code .spec.replicas} in the set does not
 * put {@code .spec} in it). Set algebra works level by level, as upstream's does.
 *
 * <p>{@link #toFieldsV1()} and {@link #fromFieldsV1} are upstream's {@code FieldsV1} encoding, as stored in
 * {@code metadata.managedFields[].fieldsV1}.
 */
public final class FieldSet {
  public static final FieldSet EMPTY = new FieldSet(new TreeSet<>(), new TreeMap<>());

  private final NavigableSet<Element> members;
  /** Never holds an empty child. */
  private final NavigableMap<Element, FieldSet> children;

  private FieldSet(NavigableSet<Element> members, NavigableMap<Element, FieldSet> children) {
    this.members = members;
    this.children = children;
  }

  public static FieldSet of(FieldPath... paths) {
    Builder b = builder();
    for (FieldPath p : paths) {
      b.insert(p);
    }
    return b.build();
  }

  public static FieldSet of(Iterable<FieldPath> paths) {
    Builder b = builder();
    for (FieldPath p : paths) {
      b.insert(p);
    }
    return b.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Parses FieldsV1 JSON; throws {@link IllegalArgumentException} naming the problem when it is not valid. */
  public static FieldSet fromFieldsV1(JsonNode json) {
    return FieldsV1.decode(json);
  }

  /** This set as FieldsV1 JSON (elements in upstream's order, {@code "."} first where a node is also a member). */
  public ObjectNode toFieldsV1() {
    return FieldsV1.encode(this);
  }

  public boolean isEmpty() {
    return members.isEmpty() && children.isEmpty();
  }

  /** The elements that are members at this level, in order. */
  public NavigableSet<Element> members() {
    return Collections.unmodifiableNavigableSet(members);
  }

  /** The non-empty child sets at this level, in order. */
  public NavigableMap<Element, FieldSet> children() {
    return Collections.unmodifiableNavigableMap(children);
  }

  /** The set of paths below {@code e} (upstream's {@code WithPrefix}); empty when there are none. */
  public FieldSet child(Element e) {
    FieldSet c = children.get(e);
    return c == null ? EMPTY : c;
  }

  public boolean has(FieldPath path) {
    FieldSet s = this;
    List<Element> els = path.elements();
    if (els.isEmpty()) {
      return false;
    }
    for (int i = 0; i < els.size() - 1; i++) {
      s = s.children.get(els.get(i));
      if (s == null) {
        return false;
      }
    }
    return s.members.contains(els.get(els.size() - 1));
  }

  public FieldSet union(FieldSet o) {
    if (o.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return o;
    }
    TreeSet<Element> m = new TreeSet<>(members);
    m.addAll(o.members);
    TreeMap<Element, FieldSet> c = new TreeMap<>(children);
    o.children.forEach((k, v) -> c.merge(k, v, FieldSet::union));
    return new FieldSet(m, c);
  }

  public FieldSet intersection(FieldSet o) {
    TreeSet<Element> m = new TreeSet<>(members);
    m.retainAll(o.members);
    TreeMap<Element, FieldSet> c = new TreeMap<>();
    children.forEach((k, v) -> {
      FieldSet other = o.children.get(k);
      if (other != null) {
        FieldSet i = v.intersection(other);
        if (!i.isEmpty()) {
          c.put(k, i);
        }
      }
    });
    return new FieldSet(m, c);
  }

  /** The paths of this set that are not paths of {@code o}, level by level (children of removed members stay). */
  public FieldSet difference(FieldSet o) {
    if (o.isEmpty() || isEmpty()) {
      return this;
    }
    TreeSet<Element> m = new TreeSet<>(members);
    m.removeAll(o.members);
    TreeMap<Element, FieldSet> c = new TreeMap<>();
    children.forEach((k, v) -> {
      FieldSet other = o.children.get(k);
      FieldSet d = other == null ? v : v.difference(other);
      if (!d.isEmpty()) {
        c.put(k, d);
      }
    });
    return new FieldSet(m, c);
  }

  /**
   * Like {@link #difference}, but a member of {@code o} also removes every path below it (upstream's
   * {@code RecursiveDifference}): {@code {.a.b.c}} minus {@code {.a.b}} is empty.
   */
  public FieldSet recursiveDifference(FieldSet o) {
    if (o.isEmpty() || isEmpty()) {
      return this;
    }
    TreeSet<Element> m = new TreeSet<>(members);
    m.removeAll(o.members);
    TreeMap<Element, FieldSet> c = new TreeMap<>();
    children.forEach((k, v) -> {
      if (o.members.contains(k)) {
        return;
      }
      FieldSet other = o.children.get(k);
      FieldSet d = other == null ? v : v.recursiveDifference(other);
      if (!d.isEmpty()) {
        c.put(k, d);
      }
    });
    return new FieldSet(m, c);
  }

  /**
   * Every path, in upstream's iteration order: the members of a level before the paths below it, each group in
   * element order.
   */
  public List<FieldPath> paths() {
    List<FieldPath> out = new ArrayList<>();
    collect(new ArrayList<>(), out);
    return out;
  }

  private void collect(List<Element> prefix, List<FieldPath> out) {
    for (Element e : members) {
      prefix.add(e);
      out.add(FieldPath.of(prefix));
      prefix.remove(prefix.size() - 1);
    }
    for (Map.Entry<Element, FieldSet> c : children.entrySet()) {
      prefix.add(c.getKey());
      c.getValue().collect(prefix, out);
      prefix.remove(prefix.size() - 1);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldSet s && s.members.equals(members) && s.children.equals(children);
  }

  @Override
  public int hashCode() {
    return members.hashCode() * 31 + children.hashCode();
  }

  /** The paths, one per line, as upstream prints a set. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (FieldPath p : paths()) {
      b.append(p).append('\n');
    }
    return b.toString();
  }

  /** Collects paths into a set. Not thread-safe; {@link #build} may be called once. */
  public static final class Builder {
    private final TreeSet<Element> members = new TreeSet<>();
    private final TreeMap<Element, Builder> children = new TreeMap<>();

    private Builder() {}

    /** Adds {@code path}; the root path is ignored (upstream does not track ownership of the whole object). */
    public Builder insert(FieldPath path) {
      List<Element> els = path.elements();
      if (els.isEmpty()) {
        return this;
      }
      Builder b = this;
      for (int i = 0; i < els.size() - 1; i++) {
        b = b.children.computeIfAbsent(els.get(i), k -> new Builder());
      }
      b.members.add(els.get(els.size() - 1));
      return this;
    }

    /** Adds {@code e} as a member at this level. */
    public Builder member(Element e) {
      members.add(e);
      return this;
    }

    /** The builder of the paths below {@code e}. */
    public Builder descend(Element e) {
      return children.computeIfAbsent(e, k -> new Builder());
    }

    public FieldSet build() {
      TreeMap<Element, FieldSet> c = new TreeMap<>();
      children.forEach((k, v) -> {
        FieldSet s = v.build();
        if (!s.isEmpty()) {
          c.put(k, s);
        }
      });
      if (members.isEmpty() && c.isEmpty()) {
        return EMPTY;
      }
      return new FieldSet(new TreeSet<>(members), c);
    }
  }
}
