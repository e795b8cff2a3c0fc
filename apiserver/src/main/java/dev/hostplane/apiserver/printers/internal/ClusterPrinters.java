package dev.hostplane.apiserver.printers.internal;

import static dev.hostplane.apiserver.printers.internal.Cells.or;
import static dev.hostplane.apiserver.printers.internal.Cells.text;
import static dev.hostplane.apiserver.printers.internal.WorkloadPrinters.age;
import static dev.hostplane.apiserver.printers.internal.WorkloadPrinters.name;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Nodes, Namespaces, Leases, PriorityClasses and RuntimeClasses, as upstream prints them. Not API. */
final class ClusterPrinters {
  private ClusterPrinters() {}

  private static final String ROLE_PREFIX = "node-role.kubernetes.io/";
  private static final String ROLE_LABEL = "kubernetes.io/role";

  static final Printer NODES = Printer.of(ClusterPrinters::node, Column.NAME, Column.string("Status"),
      Column.string("Roles"), Column.AGE, Column.string("Version"), Column.wide("Internal-IP"),
      Column.wide("External-IP"), Column.wide("OS-Image"), Column.wide("Kernel-Version"),
      Column.wide("Container-Runtime"));

  static final Printer NAMESPACES = Printer.of(
      (ns, ages) -> Row.of(name(ns), text(ns.path("status").path("phase")), age(ns, ages)),
      Column.NAME, Column.string("Status"), Column.AGE);

  static final Printer LEASES = Printer.of(
      (l, ages) -> Row.of(name(l), text(l.path("spec").path("holderIdentity")), age(l, ages)),
      Column.NAME, Column.string("Holder"), Column.AGE);

  /** PREEMPTIONPOLICY has priority 0 upstream although it is printed only for wide output. */
  static final Printer PRIORITY_CLASSES = Printer.of(
      (pc, ages) -> Row.of(name(pc), pc.path("value").asLong(0), pc.path("globalDefault").asBoolean(false),
          age(pc, ages), text(pc.path("preemptionPolicy"))),
      Column.NAME, Column.integer("Value"), Column.bool("Global-Default"), Column.AGE,
      Column.string("PreemptionPolicy"));

  static final Printer RUNTIME_CLASSES = Printer.of(
      (rc, ages) -> Row.of(name(rc), text(rc.path("handler")), age(rc, ages)),
      Column.NAME, Column.string("Handler"), Column.AGE);

  /**
   * STATUS is {@code Ready}, {@code NotReady} (Ready condition not True) or {@code Unknown} (no Ready condition),
   * with {@code ,SchedulingDisabled} when cordoned. ROLES come from {@code node-role.kubernetes.io/<role>} label
   * keys and the {@code kubernetes.io/role} label value, sorted, {@code <none>} without any.
   */
  private static Row node(ObjectNode node, Ages ages) {
    JsonNode status = node.path("status");
    List<String> state = new ArrayList<>();
    JsonNode ready = null; // the last Ready condition wins, as in upstream's condition map
    for (JsonNode c : status.path("conditions")) {
      if (text(c.path("type")).equals("Ready")) {
        ready = c;
      }
    }
    if (ready != null) {
      state.add(text(ready.path("status")).equals("True") ? "Ready" : "NotReady");
    } else {
      state.add("Unknown");
    }
    if (node.path("spec").path("unschedulable").asBoolean(false)) {
      state.add("SchedulingDisabled");
    }
    TreeSet<String> roles = new TreeSet<>();
    node.path("metadata").path("labels").fields().forEachRemaining(e -> {
      if (e.getKey().startsWith(ROLE_PREFIX) && e.getKey().length() > ROLE_PREFIX.length()) {
        roles.add(e.getKey().substring(ROLE_PREFIX.length()));
      } else if (e.getKey().equals(ROLE_LABEL) && !text(e.getValue()).isEmpty()) {
        roles.add(text(e.getValue()));
      }
    });
    JsonNode info = status.path("nodeInfo");
    return Row.of(name(node), String.join(",", state), or(String.join(",", roles), "<none>"), age(node, ages),
        text(info.path("kubeletVersion")), address(status, "InternalIP"), address(status, "ExternalIP"),
        or(text(info.path("osImage")), "<unknown>"), or(text(info.path("kernelVersion")), "<unknown>"),
        or(text(info.path("containerRuntimeVersion")), "<unknown>"));
  }

  /** The first address of the type, {@code <none>} without one. */
  private static String address(JsonNode status, String type) {
    JsonNode a = Cells.find(status.path("addresses"), "type", type);
    return a.isMissingNode() ? "<none>" : text(a.path("address"));
  }
}
