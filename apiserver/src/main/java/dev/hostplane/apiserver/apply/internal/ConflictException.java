package dev.hostplane.apiserver.apply.internal;

import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.apply.FieldPath;
import dev.hostplane.apiserver.apply.FieldSet;
import dev.hostplane.apiserver.apply.ManagedFields.Identity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Apply conflicts: fields another manager owns that an apply would change. {@link #toApiException()} is upstream's
 * 409: {@code Apply failed with 1 conflict: conflict with "m" using apps/v1: .spec.replicas}, or for several
 * {@code Apply failed with 2 conflicts: conflicts with "a":\n- .x\nconflicts with "b" using v1:\n- .y}, one
 * {@code FieldManagerConflict} cause per field. Managers are listed in the order of their identifiers, fields in
 * field-set order. Not API.
 */
public final class ConflictException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** One conflicting field and its owner. */
  public record Conflict(Identity manager, FieldPath path) {}

  private final transient List<Conflict> conflicts;

  public ConflictException(Map<Identity, FieldSet> byManager) {
    super("apply conflicts", null, false, false);
    List<Identity> managers = new ArrayList<>(byManager.keySet());
    managers.sort(Comparator.comparing(Identity::key));
    List<Conflict> out = new ArrayList<>();
    for (Identity m : managers) {
      for (FieldPath p : byManager.get(m).paths()) {
        out.add(new Conflict(m, p));
      }
    }
    this.conflicts = List.copyOf(out);
  }

  public List<Conflict> conflicts() {
    return conflicts;
  }

  /** The conflicts whose fields are not in {@code allowed}; null when none are left. */
  public ConflictException without(FieldSet allowed) {
    Map<Identity, FieldSet.Builder> left = new LinkedHashMap<>();
    for (Conflict c : conflicts) {
      if (!allowed.has(c.path())) {
        left.computeIfAbsent(c.manager(), m -> FieldSet.builder()).insert(c.path());
      }
    }
    if (left.isEmpty()) {
      return null;
    }
    Map<Identity, FieldSet> sets = new LinkedHashMap<>();
    left.forEach((m, b) -> sets.put(m, b.build()));
    return new ConflictException(sets);
  }

  public ApiException toApiException() {
    List<Status.Cause> causes = new ArrayList<>();
    for (Conflict c : conflicts) {
      causes.add(new Status.Cause("FieldManagerConflict", "conflict with " + c.manager().describe(),
          c.path().toString()));
    }
    String message;
    if (conflicts.size() == 1) {
      Conflict c = conflicts.get(0);
      message = "Apply failed with 1 conflict: conflict with " + c.manager().describe() + ": " + c.path();
    } else {
      List<String> lines = new ArrayList<>();
      Identity current = null;
      for (Conflict c : conflicts) {
        if (!c.manager().equals(current)) {
          current = c.manager();
          lines.add("conflicts with " + current.describe() + ":");
        }
        lines.add("- " + c.path());
      }
      message = "Apply failed with " + conflicts.size() + " conflicts: " + String.join("\n", lines);
    }
    return new ApiException(new Status(409, "Conflict", message,
        new Status.Details(null, null, null, null, causes, null)));
  }
}
