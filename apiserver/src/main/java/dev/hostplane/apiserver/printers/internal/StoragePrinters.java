package dev.hostplane.apiserver.printers.internal;

import static dev.hostplane.apiserver.printers.internal.Cells.text;
import static dev.hostplane.apiserver.printers.internal.WorkloadPrinters.age;
import static dev.hostplane.apiserver.printers.internal.WorkloadPrinters.name;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * PersistentVolumes, PersistentVolumeClaims, StorageClasses, CSIDrivers, CSINodes and VolumeAttachments, as
 * upstream prints them. Not API.
 */
final class StoragePrinters {
  private StoragePrinters() {}

  private static final String BETA_CLASS = "volume.beta.kubernetes.io/storage-class";

  static final Printer PERSISTENT_VOLUMES = Printer.of(StoragePrinters::persistentVolume, Column.NAME,
      Column.string("Capacity"), Column.string("Access Modes"), Column.string("Reclaim Policy"),
      Column.string("Status"), Column.string("Claim"), Column.string("StorageClass"),
      Column.string("VolumeAttributesClass"), Column.string("Reason"), Column.AGE, Column.wide("VolumeMode"));

  static final Printer PERSISTENT_VOLUME_CLAIMS = Printer.of(StoragePrinters::persistentVolumeClaim, Column.NAME,
      Column.string("Status"), Column.string("Volume"), Column.string("Capacity"), Column.string("Access Modes"),
      Column.string("StorageClass"), Column.string("VolumeAttributesClass"), Column.AGE, Column.wide("VolumeMode"));

  static final Printer STORAGE_CLASSES = Printer.of(StoragePrinters::storageClass, Column.NAME,
      Column.string("Provisioner"), Column.string("ReclaimPolicy"), Column.string("VolumeBindingMode"),
      Column.string("AllowVolumeExpansion"), Column.AGE);

  static final Printer CSI_DRIVERS = Printer.of(StoragePrinters::csiDriver, Column.NAME,
      Column.bool("AttachRequired"), Column.bool("PodInfoOnMount"), Column.bool("StorageCapacity"),
      Column.string("TokenRequests"), Column.bool("RequiresRepublish"), Column.string("Modes"), Column.AGE);

  static final Printer CSI_NODES = Printer.of(
      (n, ages) -> Row.of(name(n), (long) n.path("spec").path("drivers").size(), age(n, ages)),
      Column.NAME, Column.integer("Drivers"), Column.AGE);

  /** ATTACHER carries format {@code name} upstream, a copy-paste there that kubectl never notices. */
  static final Printer VOLUME_ATTACHMENTS = Printer.of(StoragePrinters::volumeAttachment, Column.NAME,
      new Column("Attacher", "string", "name", "", 0), Column.string("PV"), Column.string("Node"),
      Column.bool("Attached"), Column.AGE);

  /** {@code RWO,ROX,RWX,RWOP}, in that order, for the modes present. */
  static String accessModes(JsonNode modes) {
    List<String> present = Cells.strings(modes);
    List<String> out = new ArrayList<>();
    String[][] abbreviations = {{"ReadWriteOnce", "RWO"}, {"ReadOnlyMany", "ROX"}, {"ReadWriteMany", "RWX"},
        {"ReadWriteOncePod", "RWOP"}};
    for (String[] a : abbreviations) {
      if (present.contains(a[0])) {
        out.add(a[1]);
      }
    }
    return String.join(",", out);
  }

  private static boolean deleting(ObjectNode obj) {
    return !text(obj.path("metadata").path("deletionTimestamp")).isEmpty();
  }

  /** CLAIM is {@code namespace/name} of the bound claim; STORAGECLASS prefers the beta annotation. */
  private static Row persistentVolume(ObjectNode pv, Ages ages) {
    JsonNode spec = pv.path("spec");
    JsonNode claim = spec.path("claimRef");
    String claimCell = Cells.present(claim) ? text(claim.path("namespace")) + "/" + text(claim.path("name")) : "";
    JsonNode annotations = pv.path("metadata").path("annotations");
    String storageClass = annotations.has(BETA_CLASS) ? text(annotations.path(BETA_CLASS))
        : text(spec.path("storageClassName"));
    String phase = deleting(pv) ? "Terminating" : text(pv.path("status").path("phase"));
    return Row.of(name(pv), Cells.quantity(spec.path("capacity").path("storage")),
        accessModes(spec.path("accessModes")),
        text(spec.path("persistentVolumeReclaimPolicy")), phase, claimCell, storageClass,
        unset(spec.path("volumeAttributesClassName")), text(pv.path("status").path("reason")), age(pv, ages),
        unset(spec.path("volumeMode")));
  }

  /** CAPACITY and ACCESS MODES come from the status, and only once the claim names a volume. */
  private static Row persistentVolumeClaim(ObjectNode pvc, Ages ages) {
    JsonNode spec = pvc.path("spec");
    JsonNode status = pvc.path("status");
    String volume = text(spec.path("volumeName"));
    String capacity = "";
    String modes = "";
    if (!volume.isEmpty()) {
      modes = accessModes(status.path("accessModes"));
      capacity = Cells.quantity(status.path("capacity").path("storage"));
    }
    JsonNode annotations = pvc.path("metadata").path("annotations");
    String storageClass = annotations.has(BETA_CLASS) ? text(annotations.path(BETA_CLASS))
        : text(spec.path("storageClassName"));
    String phase = deleting(pvc) ? "Terminating" : text(status.path("phase"));
    return Row.of(name(pvc), phase, volume, capacity, modes, storageClass,
        unset(spec.path("volumeAttributesClassName")), age(pvc, ages), unset(spec.path("volumeMode")));
  }

  /** An optional string field, {@code <unset>} when absent. */
  private static String unset(JsonNode n) {
    return n.isTextual() ? n.asText() : "<unset>";
  }

  /** NAME gains {@code (default)} for the default class; unset policies print their defaults. */
  private static Row storageClass(ObjectNode sc, Ages ages) {
    JsonNode annotations = sc.path("metadata").path("annotations");
    String name = name(sc);
    if (text(annotations.path("storageclass.kubernetes.io/is-default-class")).equals("true")
        || text(annotations.path("storageclass.beta.kubernetes.io/is-default-class")).equals("true")) {
      name += " (default)";
    }
    return Row.of(name, text(sc.path("provisioner")), Cells.or(text(sc.path("reclaimPolicy")), "Delete"),
        Cells.or(text(sc.path("volumeBindingMode")), "Immediate"), Cells.bool(sc.path("allowVolumeExpansion"), false),
        age(sc, ages));
  }

  /** TOKENREQUESTS lists audiences, {@code <unset>} without token requests; MODES {@code <none>} when empty. */
  private static Row csiDriver(ObjectNode d, Ages ages) {
    JsonNode spec = d.path("spec");
    List<String> audiences = new ArrayList<>();
    spec.path("tokenRequests").forEach(t -> audiences.add(text(t.path("audience"))));
    String tokenRequests = audiences.isEmpty() ? "<unset>" : String.join(",", audiences);
    return Row.of(name(d), Cells.bool(spec.path("attachRequired"), true),
        Cells.bool(spec.path("podInfoOnMount"), false),
        Cells.bool(spec.path("storageCapacity"), false), tokenRequests,
        Cells.bool(spec.path("requiresRepublish"), false),
        Cells.or(String.join(",", Cells.strings(spec.path("volumeLifecycleModes"))), "<none>"), age(d, ages));
  }

  private static Row volumeAttachment(ObjectNode va, Ages ages) {
    JsonNode spec = va.path("spec");
    return Row.of(name(va), text(spec.path("attacher")), text(spec.path("source").path("persistentVolumeName")),
        text(spec.path("nodeName")), Cells.bool(va.path("status").path("attached"), false), age(va, ages));
  }
}
