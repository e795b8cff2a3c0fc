package dev.hostplane.apiserver.api.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.api.FieldErrors;
import dev.hostplane.apiserver.api.Status;
import java.util.ArrayList;
import java.util.List;

/**
 * Upstream's {@code ValidateOwnerReferences}. Like upstream, causes name the list's path without an index
 * ({@code metadata.ownerReferences.uid}). Where upstream prints a whole reference with Go's {@code %#v}, we print the
 * same shape; a set pointer field shows its value where Go would show an address. Not API.
 */
final class OwnerReferenceRules {
  private OwnerReferenceRules() {}

  static List<Status.Cause> validate(JsonNode refs, String path) {
    List<Status.Cause> errs = new ArrayList<>();
    if (refs == null || refs.isNull()) {
      return errs;
    }
    if (!refs.isArray()) {
      errs.add(FieldErrors.invalid(path, refs, "must be an array"));
      return errs;
    }
    String firstController = null;
    for (int i = 0; i < refs.size(); i++) {
      JsonNode ref = refs.get(i);
      if (!ref.isObject()) {
        errs.add(FieldErrors.invalid(path + "[" + i + "]", ref, "must be an object"));
        continue;
      }
      String apiVersion = ref.path("apiVersion").asText("");
      String kind = ref.path("kind").asText("");
      String name = ref.path("name").asText("");
      String uid = ref.path("uid").asText("");
      String version = versionOf(apiVersion);
      String group = version.isEmpty() ? "" : groupOf(apiVersion);
      if (version.isEmpty()) {
        errs.add(FieldErrors.invalid(path + ".apiVersion", apiVersion, "version must not be empty"));
      }
      if (kind.isEmpty()) {
        errs.add(FieldErrors.invalid(path + ".kind", kind, "must not be empty"));
      }
      if (name.isEmpty()) {
        errs.add(FieldErrors.invalid(path + ".name", name, "must not be empty"));
      }
      if (uid.isEmpty()) {
        errs.add(FieldErrors.invalid(path + ".uid", uid, "must not be empty"));
      }
      if (group.isEmpty() && version.equals("v1") && kind.equals("Event")) {
        errs.add(new Status.Cause(FieldErrors.INVALID, "Invalid value: " + goValue(ref)
            + ": /v1, Kind=Event is disallowed from being an owner", path));
      }
      if (ref.path("controller").asBoolean(false)) {
        String current = kind + "/" + name;
        if (firstController != null) {
          errs.add(new Status.Cause(FieldErrors.INVALID, "Invalid value: " + goSlice(refs)
              + ": Only one reference can have Controller set to true. Found \"true\" in references for "
              + firstController + " and " + current, path));
        } else {
          firstController = current;
        }
      }
    }
    return errs;
  }

  // Upstream's ParseGroupVersion: "v1" -> ("", "v1"), "apps/v1" -> ("apps", "v1"), two or more slashes -> error,
  // in which case the owner's version counts as empty.
  private static String versionOf(String apiVersion) {
    int slash = apiVersion.indexOf('/');
    if (slash < 0) {
      return apiVersion;
    }
    if (apiVersion.indexOf('/', slash + 1) >= 0) {
      return "";
    }
    return apiVersion.substring(slash + 1);
  }

  private static String groupOf(String apiVersion) {
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }

  private static String goValue(JsonNode ref) {
    return "v1.OwnerReference{APIVersion:" + GoFormat.quote(ref.path("apiVersion").asText(""))
        + ", Kind:" + GoFormat.quote(ref.path("kind").asText(""))
        + ", Name:" + GoFormat.quote(ref.path("name").asText(""))
        + ", UID:" + GoFormat.quote(ref.path("uid").asText(""))
        + ", Controller:" + goBoolPointer(ref.get("controller"))
        + ", BlockOwnerDeletion:" + goBoolPointer(ref.get("blockOwnerDeletion")) + "}";
  }

  private static String goSlice(JsonNode refs) {
    StringBuilder sb = new StringBuilder("[]v1.OwnerReference{");
    for (int i = 0; i < refs.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(goValue(refs.get(i)));
    }
    return sb.append('}').toString();
  }

  private static String goBoolPointer(JsonNode value) {
    return value == null || value.isNull() ? "(*bool)(nil)" : "(*bool)(" + value.asBoolean() + ")";
  }
}
