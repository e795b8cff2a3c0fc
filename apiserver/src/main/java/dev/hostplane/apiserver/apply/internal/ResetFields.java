package dev.hostplane.apiserver.apply.internal;

import dev.hostplane.apiserver.apply.FieldPath;
import dev.hostplane.apiserver.apply.FieldSet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The fields a write cannot change and so nobody comes to own through it, as upstream's strategies declare them
 * ({@code GetResetFields}): {@code status} for the main resource of a type with a status subresource, everything
 * but {@code status} for that subresource. A filter over field sets. Not API.
 */
public final class ResetFields {
  private static final FieldPath.Field STATUS = new FieldPath.Field("status");
  private static final FieldSet STATUS_SET = FieldSet.of(FieldPath.of(STATUS));

  private ResetFields() {}

  /** The filter for a write to {@code subresource} ("" for the main resource). */
  public static UnaryOperator<FieldSet> forWrite(boolean hasStatus, String subresource) {
    if (!hasStatus) {
      return s -> s;
    }
    if (subresource.isEmpty()) {
      return s -> s.recursiveDifference(STATUS_SET);
    }
    if (subresource.equals("status")) {
      return ResetFields::onlyStatus;
    }
    return s -> s;
  }

  private static FieldSet onlyStatus(FieldSet s) {
    FieldSet.Builder b = FieldSet.builder();
    if (s.members().contains(STATUS)) {
      b.member(STATUS);
    }
    FieldSet below = s.child(STATUS);
    for (FieldPath p : below.paths()) {
      List<FieldPath.Element> els = new ArrayList<>();
      els.add(STATUS);
      els.addAll(p.elements());
      b.insert(FieldPath.of(els));
    }
    return b.build();
  }
}
