package dev.hostplane.apiserver.apply.internal;

import dev.hostplane.apiserver.apply.FieldSet;
import java.util.function.UnaryOperator;

/**
 * What changed between two versions of an object, as upstream's {@code typed.Comparison}: fields only in the new
 * one (added), only in the old one (removed), and leaves in both with different values (modified). Containers
 * appear as added or removed when they appear or disappear as a whole. Not API.
 */
public record Comparison(FieldSet removed, FieldSet modified, FieldSet added) {
  public boolean isSame() {
    return removed.isEmpty() && modified.isEmpty() && added.isEmpty();
  }

  /** This comparison with {@code filter} applied to each set (upstream's {@code ExcludeFields}). */
  public Comparison filtered(UnaryOperator<FieldSet> filter) {
    return new Comparison(filter.apply(removed), filter.apply(modified), filter.apply(added));
  }

  /** Modified and added: what another owner would lose. */
  public FieldSet changed() {
    return modified.union(added);
  }
}
