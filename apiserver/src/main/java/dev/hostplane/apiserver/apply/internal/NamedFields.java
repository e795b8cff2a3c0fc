package dev.hostplane.apiserver.apply.internal;

import dev.hostplane.apiserver.apply.FieldPath;
import dev.hostplane.apiserver.apply.FieldPath.Element;
import dev.hostplane.apiserver.apply.FieldSet;
import dev.hostplane.apiserver.patch.PatchSchema;
import java.util.Map;

/**
 * Upstream's {@code EnsureNamedFieldsAreMembers}: a set plus every declared struct field that has paths below it
 * in the set. {@code {.spec.replicas}} also gets {@code .spec}; {@code {.metadata.labels.app}} also gets
 * {@code .metadata} and {@code .metadata.labels} (declared fields), while list items and map entries are never
 * added this way. Pruning uses it so that removing a field also considers the struct fields holding it. Not API.
 */
public final class NamedFields {
  private NamedFields() {}

  public static FieldSet ensure(FieldSet set, PatchSchema schema) {
    FieldSet.Builder b = FieldSet.builder();
    fill(set, schema, b);
    return b.build();
  }

  private static void fill(FieldSet set, PatchSchema schema, FieldSet.Builder into) {
    Shape shape = Shape.of(schema, null);
    set.members().forEach(into::member);
    for (Map.Entry<Element, FieldSet> c : set.children().entrySet()) {
      Element e = c.getKey();
      PatchSchema childSchema;
      if (e instanceof FieldPath.Field f) {
        if (shape.declares(f.name())) {
          into.member(e);
        }
        childSchema = shape.field(f.name());
      } else {
        childSchema = shape.items();
      }
      fill(c.getValue(), childSchema, into.descend(e));
    }
  }
}
