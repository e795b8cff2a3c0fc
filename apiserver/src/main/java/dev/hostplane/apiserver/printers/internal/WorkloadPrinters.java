package dev.hostplane.apiserver.printers.internal;

import static dev.hostplane.apiserver.printers.internal.Cells.integer;
import static dev.hostplane.apiserver.printers.internal.Cells.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * The apps controllers and their templates: Deployments, ReplicaSets, ReplicationControllers, StatefulSets,
 * DaemonSets, PodTemplates and ControllerRevisions, as upstream prints them. Replica counts left unset read as
 * v1's default of 1. Not API.
 */
final class WorkloadPrinters {
  private WorkloadPrinters() {}

  private static final Column CONTAINERS = Column.wide("Containers");
  private static final Column IMAGES = Column.wide("Images");
  private static final Column SELECTOR = Column.wide("Selector");

  static final Printer DEPLOYMENTS = Printer.of(WorkloadPrinters::deployment, Column.NAME, Column.string("Ready"),
      Column.string("Up-to-date"), Column.string("Available"), Column.AGE, CONTAINERS, IMAGES, SELECTOR);

  static final Printer REPLICA_SETS = Printer.of(WorkloadPrinters::replicaSet, Column.NAME,
      Column.integer("Desired"), Column.integer("Current"), Column.integer("Ready"), Column.AGE, CONTAINERS, IMAGES,
      SELECTOR);

  static final Printer REPLICATION_CONTROLLERS = Printer.of(WorkloadPrinters::replicationController, Column.NAME,
      Column.integer("Desired"), Column.integer("Current"), Column.integer("Ready"), Column.AGE, CONTAINERS, IMAGES,
      SELECTOR);

  static final Printer STATEFUL_SETS = Printer.of(WorkloadPrinters::statefulSet, Column.NAME,
      Column.string("Ready"), Column.AGE, CONTAINERS, IMAGES);

  static final Printer DAEMON_SETS = Printer.of(WorkloadPrinters::daemonSet, Column.NAME,
      Column.integer("Desired"), Column.integer("Current"), Column.integer("Ready"), Column.integer("Up-to-date"),
      Column.integer("Available"), Column.string("Node Selector"), Column.AGE, CONTAINERS, IMAGES, SELECTOR);

  static final Printer POD_TEMPLATES = Printer.of(WorkloadPrinters::podTemplate, Column.NAME,
      Column.string("Containers"), Column.string("Images"), Column.string("Pod Labels"));

  static final Printer CONTROLLER_REVISIONS = Printer.of(WorkloadPrinters::controllerRevision, Column.NAME,
      Column.string("Controller"), Column.string("Revision"), Column.AGE);

  static String name(ObjectNode obj) {
    return text(obj.path("metadata").path("name"));
  }

  static String age(ObjectNode obj, Ages ages) {
    return ages.since(obj.path("metadata").path("creationTimestamp"));
  }

  private static Row deployment(ObjectNode d, Ages ages) {
    JsonNode spec = d.path("spec");
    JsonNode status = d.path("status");
    Cells.Containers c = Cells.containers(spec.path("template").path("spec").path("containers"));
    return Row.of(name(d), integer(status.path("readyReplicas")) + "/" + spec.path("replicas").asLong(1),
        integer(status.path("updatedReplicas")), integer(status.path("availableReplicas")), age(d, ages),
        c.names(), c.images(), Cells.selectorString(spec.path("selector")));
  }

  private static Row replicaSet(ObjectNode rs, Ages ages) {
    JsonNode spec = rs.path("spec");
    JsonNode status = rs.path("status");
    Cells.Containers c = Cells.containers(spec.path("template").path("spec").path("containers"));
    return Row.of(name(rs), spec.path("replicas").asLong(1), integer(status.path("replicas")),
        integer(status.path("readyReplicas")), age(rs, ages), c.names(), c.images(),
        Cells.selector(spec.path("selector")));
  }

  private static Row replicationController(ObjectNode rc, Ages ages) {
    JsonNode spec = rc.path("spec");
    JsonNode status = rc.path("status");
    Cells.Containers c = Cells.containers(spec.path("template").path("spec").path("containers"));
    return Row.of(name(rc), spec.path("replicas").asLong(1), integer(status.path("replicas")),
        integer(status.path("readyReplicas")), age(rc, ages), c.names(), c.images(),
        Cells.labels(spec.path("selector")));
  }

  private static Row statefulSet(ObjectNode sts, Ages ages) {
    JsonNode spec = sts.path("spec");
    Cells.Containers c = Cells.containers(spec.path("template").path("spec").path("containers"));
    return Row.of(name(sts), integer(sts.path("status").path("readyReplicas")) + "/" + spec.path("replicas").asLong(1),
        age(sts, ages), c.names(), c.images());
  }

  private static Row daemonSet(ObjectNode ds, Ages ages) {
    JsonNode spec = ds.path("spec");
    JsonNode status = ds.path("status");
    JsonNode podSpec = spec.path("template").path("spec");
    Cells.Containers c = Cells.containers(podSpec.path("containers"));
    return Row.of(name(ds), integer(status.path("desiredNumberScheduled")),
        integer(status.path("currentNumberScheduled")), integer(status.path("numberReady")),
        integer(status.path("updatedNumberScheduled")), integer(status.path("numberAvailable")),
        Cells.labels(podSpec.path("nodeSelector")), age(ds, ages), c.names(), c.images(),
        Cells.selector(spec.path("selector")));
  }

  private static Row podTemplate(ObjectNode pt, Ages ages) {
    JsonNode template = pt.path("template");
    Cells.Containers c = Cells.containers(template.path("spec").path("containers"));
    return Row.of(name(pt), c.names(), c.images(), Cells.labels(template.path("metadata").path("labels")));
  }

  /** CONTROLLER is the controlling owner as {@code kind.group/name}, lower-cased kind and group. */
  private static Row controllerRevision(ObjectNode cr, Ages ages) {
    String controller = "<none>";
    for (JsonNode ref : cr.path("metadata").path("ownerReferences")) {
      if (ref.path("controller").asBoolean(false)) {
        String apiVersion = text(ref.path("apiVersion"));
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String kind = text(ref.path("kind"));
        String groupKind = group.isEmpty() ? kind : kind + "." + group;
        controller = groupKind.isEmpty() ? text(ref.path("name"))
            : groupKind.toLowerCase(Locale.ROOT) + "/" + text(ref.path("name"));
        break;
      }
    }
    return Row.of(name(cr), controller, integer(cr.path("revision")), age(cr, ages));
  }
}
