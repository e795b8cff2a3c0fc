package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.Validation;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;
import java.util.Map;

/** core/v1 ResourceQuota: status reset on create; hard limits are valid non-negative quantities; known scopes. */
final class ResourceQuotaStrategy implements Strategy {
  private static final String[] SCOPES = {"BestEffort", "CrossNamespacePodAffinity", "NotBestEffort",
      "NotTerminating", "PriorityClass", "Terminating"};

  @Override
  public void prepareForCreate(ObjectNode obj) {
    obj.putObject("status");
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode spec = Nodes.obj(obj, "spec");
    for (Map.Entry<String, String> e : Nodes.stringMap(spec, "hard").entrySet()) {
      String p = "spec.hard[" + e.getKey() + "]";
      errs.invalidEach(p, e.getKey(), Validation.isQualifiedName(e.getKey()));
      Quantities.check(errs, p, e.getValue(), true);
    }
    List<String> scopes = Nodes.strings(spec, "scopes");
    for (int i = 0; i < scopes.size(); i++) {
      if (!List.of(SCOPES).contains(scopes.get(i))) {
        errs.notSupported("spec.scopes", scopes.get(i), SCOPES);
      }
    }
    List<ObjectNode> exprs = Nodes.objects(Nodes.obj(spec, "scopeSelector"), "matchExpressions");
    for (int i = 0; i < exprs.size(); i++) {
      String p = "spec.scopeSelector.matchExpressions[" + i + "]";
      FieldChecks.requiredOneOf(errs, p + ".scopeName", exprs.get(i), "scopeName", SCOPES);
      FieldChecks.requiredOneOf(errs, p + ".operator", exprs.get(i), "operator", "DoesNotExist", "Exists", "In",
          "NotIn");
    }
    return errs.list();
  }
}
