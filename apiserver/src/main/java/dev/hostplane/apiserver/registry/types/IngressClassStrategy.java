package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.Validation;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;

/** networking.k8s.io/v1 IngressClass: spec.controller required (a domain-prefixed path), immutable. */
final class IngressClassStrategy implements Strategy {
  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode spec = Nodes.obj(obj, "spec");
    String controller = Nodes.text(spec, "controller");
    if (controller.isEmpty()) {
      errs.required("spec.controller");
    } else if (controller.length() > 250) {
      errs.tooLong("spec.controller", 250);
    } else {
      int slash = controller.indexOf('/');
      if (slash <= 0 || slash == controller.length() - 1
          || !Validation.isDns1123Subdomain(controller.substring(0, slash)).isEmpty()) {
        errs.invalid("spec.controller", controller, "must be a domain-prefixed path (such as \"acme.io/foo\")");
      }
    }
    ObjectNode params = Nodes.obj(spec, "parameters");
    if (params != null) {
      if (Nodes.text(params, "kind").isEmpty()) {
        errs.required("spec.parameters.kind");
      }
      if (Nodes.text(params, "name").isEmpty()) {
        errs.required("spec.parameters.name");
      }
      String scope = Nodes.text(params, "scope");
      if (!scope.isEmpty()) {
        FieldChecks.oneOf(errs, "spec.parameters.scope", params, "scope", "Cluster", "Namespace");
        if (scope.equals("Namespace") && Nodes.text(params, "namespace").isEmpty()) {
          errs.required("spec.parameters.namespace", "`parameters.scope` is set to 'Namespace'");
        }
        if (scope.equals("Cluster") && Nodes.has(params, "namespace")) {
          errs.forbidden("spec.parameters.namespace", "`parameters.scope` is set to 'Cluster'");
        }
      }
    }
    return errs.list();
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    errs.addAll(validate(obj));
    FieldChecks.immutable(errs, "spec.controller", Nodes.at(obj, "spec", "controller"),
        Nodes.at(old, "spec", "controller"));
    return errs.list();
  }

  @Override
  public boolean tracksGeneration() {
    return true;
  }
}
