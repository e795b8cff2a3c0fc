package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;
import java.util.Map;

/**
 * scheduling.k8s.io/v1 PriorityClass: value required and immutable, preemptionPolicy PreemptLowerPriority by
 * default and immutable; names starting {@code system-} are reserved for the two system classes, and user values
 * stay at or below one billion.
 */
final class PriorityClassStrategy implements Strategy {
  static final long HIGHEST_USER_PRIORITY = 1_000_000_000L;
  private static final Map<String, Long> SYSTEM = Map.of("system-node-critical", 2_000_001_000L,
      "system-cluster-critical", 2_000_000_000L);

  @Override
  public void applyDefaults(ObjectNode obj) {
    Nodes.defaultText(obj, "preemptionPolicy", "PreemptLowerPriority");
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    String name = ObjectMeta.name(obj) == null ? "" : ObjectMeta.name(obj);
    Long value = Nodes.num(obj, "value");
    if (value == null) {
      errs.required("value");
    }
    long v = value == null ? 0 : value;
    boolean system = SYSTEM.containsKey(name) && SYSTEM.get(name) == v && !Nodes.isTrue(obj, "globalDefault");
    if (!system && name.startsWith("system-")) {
      errs.forbidden("metadata.name", "priority class names with 'system-' prefix are reserved for system use only");
    } else if (!system && v > HIGHEST_USER_PRIORITY) {
      errs.forbidden("value", "maximum allowed value of a user defined priority is " + HIGHEST_USER_PRIORITY);
    }
    FieldChecks.oneOf(errs, "preemptionPolicy", obj, "preemptionPolicy", "Never", "PreemptLowerPriority");
    return errs.list();
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    errs.addAll(validate(obj));
    if (!Nodes.same(Nodes.get(obj, "value"), Nodes.get(old, "value"))) {
      errs.forbidden("value", "may not be changed in an update.");
    }
    FieldChecks.immutable(errs, "preemptionPolicy", Nodes.get(obj, "preemptionPolicy"),
        Nodes.get(old, "preemptionPolicy"));
    return errs.list();
  }
}
