package dev.hostplane.apiserver.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.NameRule;
import dev.hostplane.apiserver.api.Validation;
import java.util.ArrayList;
import java.util.List;

/** Object metadata validation for any type, with the name rule its strategy names. */
final class MetaValidation {
  private MetaValidation() {}

  static List<Status.Cause> validate(ResourceType type, ObjectNode obj) {
    List<Status.Cause> causes = new ArrayList<>();
    if (!(obj.get("metadata") instanceof ObjectNode meta)) {
      causes.add(new Status.Cause("FieldValueRequired", "Required value", "metadata"));
      return causes;
    }
    causes.addAll(Validation.validateObjectMeta(meta, type.namespaced(), nameRule(type), "metadata"));
    return causes;
  }

  static List<Status.Cause> validateUpdate(ObjectNode next, ObjectNode old) {
    return List.of();
  }

  static NameRule nameRule(ResourceType type) {
    return type.strategy() instanceof NamedBy n ? n.nameRule() : NameRule.DNS_SUBDOMAIN;
  }

}
