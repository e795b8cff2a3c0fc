package dev.hostplane.apiserver.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.FieldSelector;
import dev.hostplane.apiserver.api.LabelSelector;
import java.util.Map;
import java.util.function.Function;

/** Label and field selection of objects of one type, with upstream's "field label not supported" check. */
public final class Selection {
  private Selection() {}

  public static boolean isEverything(Options.Read options) {
    return options.labelSelector().isEmpty() && options.fieldSelector().isEmpty();
  }

  /**
   * A predicate over objects of {@code type} (in its served version). Fails at once with 400 when the field
   * selector names a field the type does not support.
   */
  public static Function<ObjectNode, Boolean> filter(ResourceType type, Options.Read options) {
    LabelSelector labels = options.labelSelector();
    FieldSelector fields = options.fieldSelector();
    Map<String, Function<ObjectNode, String>> extractors = type.strategy().selectableFields();
    for (String field : fields.requirements().stream().map(FieldSelector.Requirement::field).toList()) {
      if (!field.equals("metadata.name") && !field.equals("metadata.namespace")
          && !extractors.containsKey(field)) {
        throw ApiException.badRequest("field label not supported: " + field);
      }
    }
    if (labels.isEmpty() && fields.isEmpty()) {
      return obj -> true;
    }
    return obj -> labels.matches(ObjectMeta.labels(obj)) && fields.matches(field -> fieldValue(obj, field,
        extractors));
  }

  private static String fieldValue(ObjectNode obj, String field,
      Map<String, Function<ObjectNode, String>> extractors) {
    String v = switch (field) {
      case "metadata.name" -> ObjectMeta.name(obj);
      case "metadata.namespace" -> ObjectMeta.namespace(obj);
      default -> extractors.get(field).apply(obj);
    };
    return v == null ? "" : v;
  }
}
