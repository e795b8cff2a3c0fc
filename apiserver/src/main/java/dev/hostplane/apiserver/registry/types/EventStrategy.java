package dev.hostplane.apiserver.registry.types;

import dev.hostplane.apiserver.api.NameRule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.Validation;
import dev.hostplane.apiserver.registry.NamedBy;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Events, stored in core/v1 shape for both APIs ({@code pkg/apis/core/validation/events.go}). The core/v1 flavour
 * applies upstream's legacy checks on create only; the events.k8s.io flavour ({@link #strict}) adds the newer
 * create rules and immutable fields on update, and reports fields by their events.k8s.io names.
 */
final class EventStrategy implements Strategy, NamedBy {
  private final boolean strict;

  private EventStrategy(boolean strict) {
    this.strict = strict;
  }

  /** The core/v1 Events strategy (names: path segments, as upstream's generic fallback). */
  static EventStrategy legacy() {
    return new EventStrategy(false);
  }

  /** The events.k8s.io/v1 Events strategy (names: DNS subdomains). */
  static EventStrategy strict() {
    return new EventStrategy(true);
  }

  @Override
  public NameRule nameRule() {
    return strict ? NameRule.DNS_SUBDOMAIN : NameRule.PATH_SEGMENT;
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    legacyChecks(obj, errs);
    if (strict) {
      strictChecks(obj, errs);
    }
    return errs.list();
  }

  private void legacyChecks(ObjectNode obj, CauseList errs) {
    String ns = ObjectMeta.namespace(obj) == null ? "" : ObjectMeta.namespace(obj);
    String involvedNs = Nodes.text(Nodes.obj(obj, "involvedObject"), "namespace");
    String nsPath = strict ? "regarding.namespace" : "involvedObject.namespace";
    if (!Nodes.has(obj, "eventTime")) {
      if (involvedNs.isEmpty() ? !(ns.isEmpty() || ns.equals("default")) : !involvedNs.equals(ns)) {
        errs.invalid(nsPath, involvedNs, "does not match event.namespace");
      }
      return;
    }
    if (involvedNs.isEmpty() && !ns.equals("default") && !ns.equals("kube-system")) {
      errs.invalid(nsPath, involvedNs, "does not match event.namespace");
    }
    String controllerPath = strict ? "reportingController" : "source";
    String controller = Nodes.text(obj, "reportingComponent");
    if (controller.isEmpty()) {
      errs.required(controllerPath);
    }
    errs.invalidEach(controllerPath, controller, Validation.isQualifiedName(controller));
    limited(obj, "reportingInstance", "reportingInstance", 128, errs);
    limited(obj, "action", "action", 128, errs);
    limited(obj, "reason", "reason", 128, errs);
    if (Nodes.text(obj, "message").length() > 1024) {
      errs.invalid(strict ? "note" : "message", "", "can have at most 1024 characters");
    }
  }

  private static void limited(ObjectNode obj, String field, String path, int max, CauseList errs) {
    String v = Nodes.text(obj, field);
    if (v.isEmpty()) {
      errs.required(path);
    } else if (v.length() > max) {
      errs.invalid(path, "", "can have at most " + max + " characters");
    }
  }

  private static void strictChecks(ObjectNode obj, CauseList errs) {
    ObjectNode series = Nodes.obj(obj, "series");
    if (series != null) {
      Long count = Nodes.num(series, "count");
      if (count == null || count < 2) {
        errs.invalid("series.count", "", "should be at least 2");
      }
      if (!Nodes.has(series, "lastObservedTime")) {
        errs.required("series.lastObservedTime");
      }
    }
    if (!Nodes.has(obj, "eventTime")) {
      errs.required("eventTime");
    }
    String type = Nodes.text(obj, "type");
    if (!type.equals("Normal") && !type.equals("Warning")) {
      errs.invalid("type", "", "has invalid value: " + type);
    }
    if (Nodes.has(obj, "firstTimestamp")) {
      errs.invalid("deprecatedFirstTimestamp", "", "needs to be unset");
    }
    if (Nodes.has(obj, "lastTimestamp")) {
      errs.invalid("deprecatedLastTimestamp", "", "needs to be unset");
    }
    Long count = Nodes.num(obj, "count");
    if (count != null && count != 0) {
      errs.invalid("deprecatedCount", "", "needs to be unset");
    }
    ObjectNode source = Nodes.obj(obj, "source");
    if (!Nodes.text(source, "component").isEmpty() || !Nodes.text(source, "host").isEmpty()) {
      errs.invalid("deprecatedSource", "", "needs to be unset");
    }
  }

  /** core/v1 updates are not validated beyond metadata (as upstream); events.k8s.io freezes the event's facts. */
  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    if (!strict) {
      return errs.list();
    }
    String[][] fields = {
        {"involvedObject", "involvedObject"}, {"reason", "reason"}, {"message", "message"}, {"source", "source"},
        {"firstTimestamp", "firstTimestamp"}, {"lastTimestamp", "lastTimestamp"}, {"count", "count"},
        {"type", "type"}, {"eventTime", "eventTime"}, {"action", "action"}, {"related", "related"},
        {"reportingComponent", "reportingController"}, {"reportingInstance", "reportingInstance"}};
    for (String[] f : fields) {
      FieldChecks.immutable(errs, f[1], Nodes.get(obj, f[0]), Nodes.get(old, f[0]));
    }
    return errs.list();
  }

  @Override
  public boolean allowCreateOnUpdate() {
    return true;
  }

  @Override
  public Map<String, Function<ObjectNode, String>> selectableFields() {
    Map<String, Function<ObjectNode, String>> m = new LinkedHashMap<>();
    for (String f : List.of("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")) {
      Function<ObjectNode, String> read = o -> Nodes.str(Nodes.obj(o, "involvedObject"), f);
      m.put("involvedObject." + f, read);
      if (strict) {
        m.put("regarding." + f, read);
      }
    }
    m.put("reason", o -> Nodes.str(o, "reason"));
    m.put("reportingComponent", o -> Nodes.text(o, "reportingComponent"));
    m.put("source", o -> Nodes.str(Nodes.obj(o, "source"), "component"));
    m.put("type", o -> Nodes.str(o, "type"));
    if (strict) {
      m.put("reportingController", o -> Nodes.text(o, "reportingComponent"));
    }
    return java.util.Collections.unmodifiableMap(m);
  }
}
