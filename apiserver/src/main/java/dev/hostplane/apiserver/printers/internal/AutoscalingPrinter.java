package dev.hostplane.apiserver.printers.internal;

import static dev.hostplane.apiserver.printers.internal.Cells.quantityPtr;
import static dev.hostplane.apiserver.printers.internal.Cells.text;
import static dev.hostplane.apiserver.printers.internal.WorkloadPrinters.age;
import static dev.hostplane.apiserver.printers.internal.WorkloadPrinters.name;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * HorizontalPodAutoscalers in autoscaling/v2 shape (v1 objects are converted first). TARGETS pairs each metric
 * spec with the current metric at the same index, {@code current/target}: {@code cpu: 40%/80%} for utilization,
 * {@code (avg)} for an average value of Object and External metrics, {@code <unknown>} while there is no current
 * value, {@code <auto>} for a utilization target left unset; the first two, then {@code + N more...}; {@code <none>}
 * without metrics. Not API.
 */
final class AutoscalingPrinter {
  private AutoscalingPrinter() {}

  static final Printer PRINTER = Printer.of(AutoscalingPrinter::print, Column.NAME, Column.string("Reference"),
      Column.string("Targets"), Column.string("MinPods"), Column.string("MaxPods"), Column.string("Replicas"),
      Column.AGE);

  private static Row print(ObjectNode hpa, Ages ages) {
    JsonNode spec = hpa.path("spec");
    JsonNode ref = spec.path("scaleTargetRef");
    String minPods = spec.path("minReplicas").isNumber() ? Long.toString(spec.path("minReplicas").asLong())
        : "<unset>";
    return Row.of(name(hpa), text(ref.path("kind")) + "/" + text(ref.path("name")),
        metrics(spec.path("metrics"), hpa.path("status").path("currentMetrics")), minPods,
        Cells.integer(spec.path("maxReplicas")), Cells.integer(hpa.path("status").path("currentReplicas")),
        age(hpa, ages));
  }

  static String metrics(JsonNode specs, JsonNode statuses) {
    if (specs.size() == 0) {
      return "<none>";
    }
    final int max = 2;
    List<String> list = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      list.add(metric(specs.get(i), i < statuses.size() ? statuses.get(i) : null));
    }
    if (list.size() > max) {
      return String.join(", ", list.subList(0, max)) + " + " + (list.size() - max) + " more...";
    }
    return String.join(", ", list);
  }

  /** One metric; {@code status} is the current metric at the same index, or null. */
  private static String metric(JsonNode spec, JsonNode status) {
    String type = text(spec.path("type"));
    switch (type) {
      case "External", "Object": {
        String field = type.equals("External") ? "external" : "object";
        JsonNode target = spec.path(field).path("target");
        JsonNode current = status == null ? null : status.path(field);
        boolean has = current != null && Cells.present(current);
        if (target.hasNonNull("averageValue")) {
          String now = has && current.path("current").hasNonNull("averageValue")
              ? quantityPtr(current.path("current").path("averageValue")) : "<unknown>";
          return now + "/" + quantityPtr(target.path("averageValue")) + " (avg)";
        }
        String now = has ? quantityPtr(current.path("current").path("value")) : "<unknown>";
        return now + "/" + quantityPtr(target.path("value"));
      }
      case "Pods": {
        JsonNode current = status == null ? null : status.path("pods");
        String now = current != null && Cells.present(current)
            ? quantityPtr(current.path("current").path("averageValue")) : "<unknown>";
        return now + "/" + quantityPtr(spec.path("pods").path("target").path("averageValue"));
      }
      case "Resource", "ContainerResource": {
        String field = type.equals("Resource") ? "resource" : "containerResource";
        JsonNode source = spec.path(field);
        JsonNode target = source.path("target");
        JsonNode current = status == null ? null : status.path(field);
        boolean has = current != null && Cells.present(current);
        String resource = text(source.path("name"));
        if (target.hasNonNull("averageValue")) {
          String now = has ? quantityPtr(current.path("current").path("averageValue")) : "<unknown>";
          return resource + ": " + now + "/" + quantityPtr(target.path("averageValue"));
        }
        String now = has && current.path("current").hasNonNull("averageUtilization")
            ? current.path("current").path("averageUtilization").asLong() + "%" : "<unknown>";
        String want = target.hasNonNull("averageUtilization") ? target.path("averageUtilization").asLong() + "%"
            : "<auto>";
        return resource + ": " + now + "/" + want;
      }
      default:
        return "<unknown type>";
    }
  }
}
