package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * storage.k8s.io/v1 CSIDriver: upstream's defaults (attachRequired true, podInfoOnMount false, fsGroupPolicy
 * ReadWriteOnceWithFSType, volumeLifecycleModes [Persistent], storageCapacity, requiresRepublish and seLinuxMount
 * false); attachRequired and volumeLifecycleModes never change. Also the CSI driver name rule, shared.
 */
final class CsiDriverStrategy implements Strategy {
  private static final Pattern DRIVER_NAME = Pattern.compile("^[a-zA-Z0-9][-a-zA-Z0-9_.]{0,61}[a-zA-Z-0-9]$");

  @Override
  public void applyDefaults(ObjectNode obj) {
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    Nodes.defaultBool(spec, "attachRequired", true);
    Nodes.defaultBool(spec, "podInfoOnMount", false);
    Nodes.defaultText(spec, "fsGroupPolicy", "ReadWriteOnceWithFSType");
    if (!Nodes.has(spec, "volumeLifecycleModes")) {
      spec.putArray("volumeLifecycleModes").add("Persistent");
    }
    Nodes.defaultBool(spec, "storageCapacity", false);
    Nodes.defaultBool(spec, "requiresRepublish", false);
    Nodes.defaultBool(spec, "seLinuxMount", false);
  }

  /** Upstream ValidateCSIDriverName: required, at most 63 characters, the CSI name pattern. */
  static void validateDriverName(String name, String path, CauseList errs) {
    if (name.isEmpty()) {
      errs.required(path);
      return;
    }
    if (name.length() > 63) {
      errs.tooLong(path, 63);
    }
    if (!DRIVER_NAME.matcher(name.toLowerCase(Locale.ROOT)).matches()) {
      errs.invalid(path, name, "a valid CSI driver name must be less than 63 characters, begin and end with an "
          + "alphanumeric character ([a-z0-9A-Z]), and may contain dashes (-), dots (.), and underscores (_) "
          + "(e.g. 'csi-hostpath', regex used for validation is '^[a-zA-Z0-9][-a-zA-Z0-9_.]{0,61}[a-zA-Z-0-9]$')");
    }
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    String name = ObjectMeta.name(obj);
    if (name != null && name.length() > 63) {
      errs.tooLong("metadata.name", 63);
    }
    ObjectNode spec = Nodes.obj(obj, "spec");
    FieldChecks.oneOf(errs, "spec.fsGroupPolicy", spec, "fsGroupPolicy", "File", "None",
        "ReadWriteOnceWithFSType");
    List<String> modes = Nodes.strings(spec, "volumeLifecycleModes");
    for (int i = 0; i < modes.size(); i++) {
      if (!modes.get(i).equals("Ephemeral") && !modes.get(i).equals("Persistent")) {
        errs.notSupported("spec.volumeLifecycleModes", modes.get(i), "Ephemeral", "Persistent");
      }
    }
    List<ObjectNode> tokens = Nodes.objects(spec, "tokenRequests");
    java.util.Set<String> audiences = new java.util.HashSet<>();
    for (int i = 0; i < tokens.size(); i++) {
      String audience = Nodes.text(tokens.get(i), "audience");
      if (!audiences.add(audience)) {
        errs.duplicate("spec.tokenRequests[" + i + "].audience", audience);
      }
      Long seconds = Nodes.num(tokens.get(i), "expirationSeconds");
      if (seconds != null && seconds < 600) {
        errs.invalid("spec.tokenRequests[" + i + "].expirationSeconds", seconds,
            "may not specify a duration less than 10 minutes");
      }
    }
    return errs.list();
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    errs.addAll(validate(obj));
    for (String f : List.of("attachRequired", "volumeLifecycleModes")) {
      FieldChecks.immutable(errs, "spec." + f, Nodes.at(obj, "spec", f), Nodes.at(old, "spec", f));
    }
    return errs.list();
  }

  @Override
  public boolean returnsDeletedObject() {
    return true;
  }
}
