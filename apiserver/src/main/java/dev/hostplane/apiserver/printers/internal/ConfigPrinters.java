package dev.hostplane.apiserver.printers.internal;

import static dev.hostplane.apiserver.printers.internal.Cells.text;
import static dev.hostplane.apiserver.printers.internal.WorkloadPrinters.age;
import static dev.hostplane.apiserver.printers.internal.WorkloadPrinters.name;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ConfigMaps, Secrets, ServiceAccounts, ResourceQuotas and PodDisruptionBudgets, as upstream prints them. Not API.
 */
final class ConfigPrinters {
  private ConfigPrinters() {}

  /** DATA counts data and binaryData keys. */
  static final Printer CONFIG_MAPS = Printer.of(
      (cm, ages) -> Row.of(name(cm), (long) (cm.path("data").size() + cm.path("binaryData").size()), age(cm, ages)),
      Column.NAME, Column.string("Data"), Column.AGE);

  static final Printer SECRETS = Printer.of(ConfigPrinters::secret, Column.NAME, Column.string("Type"),
      Column.string("Data"), Column.AGE);

  static final Printer SERVICE_ACCOUNTS = Printer.of(
      (sa, ages) -> Row.of(name(sa), (long) sa.path("secrets").size(), age(sa, ages)),
      Column.NAME, Column.string("Secrets"), Column.AGE);

  static final Printer RESOURCE_QUOTAS = Printer.of(ConfigPrinters::resourceQuota, Column.NAME,
      Column.string("Request"), Column.string("Limit"), Column.AGE);

  static final Printer POD_DISRUPTION_BUDGETS = Printer.of(ConfigPrinters::podDisruptionBudget, Column.NAME,
      Column.string("Min Available"), Column.string("Max Unavailable"), Column.integer("Allowed Disruptions"),
      Column.AGE);

  /** DATA counts data keys; stringData keys count too, as upstream merges them into data before printing. */
  private static Row secret(ObjectNode s, Ages ages) {
    Set<String> keys = new HashSet<>();
    s.path("data").fieldNames().forEachRemaining(keys::add);
    s.path("stringData").fieldNames().forEachRemaining(keys::add);
    return Row.of(name(s), text(s.path("type")), (long) keys.size(), age(s, ages));
  }

  /**
   * REQUEST and LIMIT list {@code resource: used/hard} for every hard limit, sorted by resource name;
   * {@code limits.*} resources go to LIMIT, all others to REQUEST.
   */
  private static Row resourceQuota(ObjectNode rq, Ages ages) {
    JsonNode status = rq.path("status");
    List<Map.Entry<String, JsonNode>> hard = new ArrayList<>();
    status.path("hard").fields().forEachRemaining(hard::add);
    hard.sort(Map.Entry.comparingByKey(Comparator.naturalOrder()));
    List<String> requests = new ArrayList<>();
    List<String> limits = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : hard) {
      String resource = e.getKey();
      String cell = resource + ": " + Cells.quantity(status.path("used").path(resource)) + "/"
          + Cells.quantity(e.getValue());
      String[] pieces = resource.split("\\.", -1);
      (pieces.length > 1 && pieces[0].equals("limits") ? limits : requests).add(cell);
    }
    return Row.of(name(rq), String.join(", ", requests), String.join(", ", limits), age(rq, ages));
  }

  /** MIN AVAILABLE and MAX UNAVAILABLE print {@code N/A} when unset. */
  private static Row podDisruptionBudget(ObjectNode pdb, Ages ages) {
    JsonNode spec = pdb.path("spec");
    String min = spec.hasNonNull("minAvailable") ? Cells.intOrString(spec.path("minAvailable")) : "N/A";
    String max = spec.hasNonNull("maxUnavailable") ? Cells.intOrString(spec.path("maxUnavailable")) : "N/A";
    return Row.of(name(pdb), min, max, Cells.integer(pdb.path("status").path("disruptionsAllowed")), age(pdb, ages));
  }
}
