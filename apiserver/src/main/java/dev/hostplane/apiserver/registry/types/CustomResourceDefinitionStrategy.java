package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.Validation;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * apiextensions.k8s.io/v1 CustomResourceDefinition: named {@code <plural>.<group>}, names defaulted (listKind,
 * singular), scope, and versions with exactly one storage version and a schema each. Status is reset on create to
 * {@code storedVersions: [<storage version>]}; updates add a new storage version to storedVersions. Structural
 * schema rules are not checked here.
 */
final class CustomResourceDefinitionStrategy implements Strategy {
  @Override
  public void applyDefaults(ObjectNode obj) {
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    ObjectNode names = Nodes.ensureObj(spec, "names");
    String kind = Nodes.text(names, "kind");
    if (!kind.isEmpty()) {
      if (Nodes.text(names, "listKind").isEmpty()) {
        names.put("listKind", kind + "List");
      }
      if (Nodes.text(names, "singular").isEmpty()) {
        names.put("singular", kind.toLowerCase(Locale.ROOT));
      }
    }
    Nodes.defaultText(Nodes.ensureObj(spec, "conversion"), "strategy", "None");
    ObjectNode service = Nodes.at(spec, "conversion", "webhook", "clientConfig", "service") instanceof ObjectNode o
        ? o : null;
    if (service != null) {
      Nodes.defaultNum(service, "port", 443);
    }
  }

  @Override
  public void prepareForCreate(ObjectNode obj) {
    ObjectNode status = obj.putObject("status");
    ObjectNode accepted = status.putObject("acceptedNames");
    accepted.put("plural", "");
    accepted.put("kind", "");
    ArrayNode stored = status.putArray("storedVersions");
    String storage = storageVersion(obj);
    if (storage != null) {
      stored.add(storage);
    }
  }

  @Override
  public void prepareForUpdate(ObjectNode obj, ObjectNode old) {
    String storage = storageVersion(obj);
    if (storage == null) {
      return;
    }
    ArrayNode stored = Nodes.ensureArr(Nodes.ensureObj(obj, "status"), "storedVersions");
    for (JsonNode v : stored) {
      if (storage.equals(v.asText())) {
        return;
      }
    }
    stored.add(storage);
  }

  private static String storageVersion(ObjectNode obj) {
    for (ObjectNode v : Nodes.objects(Nodes.obj(obj, "spec"), "versions")) {
      if (Nodes.isTrue(v, "storage")) {
        return Nodes.text(v, "name");
      }
    }
    return null;
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode spec = Nodes.obj(obj, "spec");
    ObjectNode names = Nodes.obj(spec, "names");
    String group = Nodes.text(spec, "group");
    String plural = Nodes.text(names, "plural");
    String name = ObjectMeta.name(obj) == null ? "" : ObjectMeta.name(obj);
    if (!name.equals(plural + "." + group)) {
      errs.invalid("metadata.name", name, "must be spec.names.plural+\".\"+spec.group");
    }
    if (group.isEmpty()) {
      errs.required("spec.group");
    } else {
      errs.invalidEach("spec.group", group, Validation.isDns1123Subdomain(group));
      if (!group.contains(".")) {
        errs.invalid("spec.group", group, "should be a domain with at least one dot");
      }
    }
    String scope = Nodes.text(spec, "scope");
    if (scope.isEmpty()) {
      errs.required("spec.scope");
    } else if (!scope.equals("Cluster") && !scope.equals("Namespaced")) {
      errs.notSupported("spec.scope", scope, "Cluster", "Namespaced");
    }
    validateNames(names, errs);
    validateVersions(Nodes.objects(spec, "versions"), errs);
    ObjectNode conversion = Nodes.obj(spec, "conversion");
    String strategy = Nodes.text(conversion, "strategy");
    if (!strategy.isEmpty() && !strategy.equals("None") && !strategy.equals("Webhook")) {
      errs.notSupported("spec.conversion.strategy", strategy, "None", "Webhook");
    }
    if (strategy.equals("Webhook")) {
      ObjectNode webhook = Nodes.obj(conversion, "webhook");
      if (webhook == null || !Nodes.has(webhook, "clientConfig")) {
        errs.required("spec.conversion.webhook.clientConfig", "required when strategy is set to Webhook");
      }
      if (Nodes.isEmpty(webhook, "conversionReviewVersions")) {
        errs.required("spec.conversion.webhook.conversionReviewVersions", "must specify one of v1, v1beta1");
      }
    }
    return errs.list();
  }

  private static void validateNames(ObjectNode names, CauseList errs) {
    String p = "spec.names";
    for (String f : List.of("plural", "singular")) {
      String v = Nodes.text(names, f);
      if (v.isEmpty()) {
        errs.required(p + "." + f);
      } else {
        joined(errs, p + "." + f, v, Validation.isDns1035Label(v), "");
      }
    }
    for (String f : List.of("kind", "listKind")) {
      String v = Nodes.text(names, f);
      if (v.isEmpty()) {
        errs.required(p + "." + f);
      } else {
        joined(errs, p + "." + f, v, Validation.isDns1035Label(v.toLowerCase(Locale.ROOT)),
            "may have mixed case, but should otherwise match: ");
      }
    }
    String kind = Nodes.text(names, "kind");
    if (!kind.isEmpty() && kind.equals(Nodes.text(names, "listKind"))) {
      errs.invalid(p + ".listKind", kind, "kind and listKind may not be the same");
    }
    for (String list : List.of("shortNames", "categories")) {
      List<String> values = Nodes.strings(names, list);
      for (int i = 0; i < values.size(); i++) {
        joined(errs, p + "." + list + "[" + i + "]", values.get(i), Validation.isDns1035Label(values.get(i)), "");
      }
    }
  }

  private static void joined(CauseList errs, String path, String value, List<String> msgs, String prefix) {
    if (!msgs.isEmpty()) {
      errs.invalid(path, value, prefix + String.join(",", msgs));
    }
  }

  private static void validateVersions(List<ObjectNode> versions, CauseList errs) {
    CauseList.Raw shown = new CauseList.Raw("[]apiextensions.CustomResourceDefinitionVersion{...}");
    if (versions.isEmpty()) {
      errs.required("spec.versions", "must have exactly one version marked as storage version");
      return;
    }
    int storage = 0;
    Set<String> seen = new HashSet<>();
    boolean unique = true;
    for (int i = 0; i < versions.size(); i++) {
      ObjectNode v = versions.get(i);
      String p = "spec.versions[" + i + "]";
      String name = Nodes.text(v, "name");
      unique &= seen.add(name);
      joined(errs, p + ".name", name, Validation.isDns1035Label(name), "");
      if (Nodes.isTrue(v, "storage")) {
        storage++;
      }
      if (!Nodes.has(Nodes.obj(v, "schema"), "openAPIV3Schema")) {
        errs.required(p + ".schema.openAPIV3Schema", "schemas are required");
      }
    }
    if (!unique) {
      errs.invalid("spec.versions", shown, "must contain unique version names");
    }
    if (storage != 1) {
      errs.invalid("spec.versions", shown, "must have exactly one version marked as storage version");
    }
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    errs.addAll(validate(obj));
    FieldChecks.immutable(errs, "spec.group", Nodes.at(obj, "spec", "group"), Nodes.at(old, "spec", "group"));
    FieldChecks.immutable(errs, "spec.names.plural", Nodes.at(obj, "spec", "names", "plural"),
        Nodes.at(old, "spec", "names", "plural"));
    boolean established = false;
    for (ObjectNode c : Nodes.objects(Nodes.obj(old, "status"), "conditions")) {
      established |= "Established".equals(Nodes.text(c, "type")) && "True".equals(Nodes.text(c, "status"));
    }
    if (established) {
      FieldChecks.immutable(errs, "spec.scope", Nodes.at(obj, "spec", "scope"), Nodes.at(old, "spec", "scope"));
    }
    return errs.list();
  }

  @Override
  public boolean tracksGeneration() {
    return true;
  }
}
