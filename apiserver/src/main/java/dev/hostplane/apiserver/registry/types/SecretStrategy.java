package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Strategy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * core/v1 Secret: type Opaque by default, stringData folded into data, key and size rules, the required keys of
 * the well-known types, immutable type and the immutable flag.
 */
final class SecretStrategy implements Strategy {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Defaults type to Opaque and merges {@code stringData} into {@code data} (base64, overriding equal keys), then
   * drops stringData, as upstream's v1 conversion does; runs before validation so the merged data is checked.
   */
  @Override
  public void applyDefaults(ObjectNode obj) {
    Nodes.defaultText(obj, "type", "Opaque");
    ObjectNode stringData = Nodes.obj(obj, "stringData");
    if (stringData != null) {
      ObjectNode data = Nodes.ensureObj(obj, "data");
      stringData.fields().forEachRemaining(e -> data.put(e.getKey(),
          Base64.getEncoder().encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8))));
    }
    obj.remove("stringData");
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    DataKeys.validateKeys(obj, "data", errs);
    long size = 0;
    for (String key : Nodes.stringMap(obj, "data").keySet()) {
      size += DataKeys.utf8Size(key);
    }
    size += DataKeys.decodedSize(obj, "data", errs);
    Map<String, String> data = Nodes.stringMap(obj, "data");
    switch (Nodes.text(obj, "type")) {
      case "kubernetes.io/service-account-token" -> {
        String sa = ObjectMeta.annotations(obj).get("kubernetes.io/service-account.name");
        if (sa == null || sa.isEmpty()) {
          errs.required("metadata.annotations[kubernetes.io/service-account.name]");
        }
      }
      case "kubernetes.io/dockercfg" -> requireJson(data, ".dockercfg", errs);
      case "kubernetes.io/dockerconfigjson" -> requireJson(data, ".dockerconfigjson", errs);
      case "kubernetes.io/basic-auth" -> {
        if (!data.containsKey("username") && !data.containsKey("password")) {
          errs.required("data[username]");
          errs.required("data[password]");
        }
      }
      case "kubernetes.io/ssh-auth" -> {
        byte[] key = data.containsKey("ssh-privatekey") ? DataKeys.decode(data.get("ssh-privatekey")) : null;
        if (key == null || key.length == 0) {
          errs.required("data[ssh-privatekey]");
        }
      }
      case "kubernetes.io/tls" -> {
        if (!data.containsKey("tls.crt")) {
          errs.required("data[tls.crt]");
        }
        if (!data.containsKey("tls.key")) {
          errs.required("data[tls.key]");
        }
      }
      default -> { }
    }
    if (size > DataKeys.MAX_SIZE) {
      errs.tooLong("data", DataKeys.MAX_SIZE);
    }
    return errs.list();
  }

  /** The key must be present and hold JSON (a docker config). */
  private static void requireJson(Map<String, String> data, String key, CauseList errs) {
    String path = "data[" + key + "]";
    byte[] bytes = data.containsKey(key) ? DataKeys.decode(data.get(key)) : null;
    if (bytes == null || bytes.length == 0) {
      if (!data.containsKey(key)) {
        errs.required(path);
      }
      return;
    }
    try {
      JSON.readTree(bytes);
    } catch (IOException e) {
      errs.invalid(path, new CauseList.Raw("\"<secret contents redacted>\""), "invalid JSON");
    }
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    FieldChecks.immutable(errs, "type", Nodes.get(obj, "type"), Nodes.get(old, "type"));
    if (Nodes.isTrue(old, "immutable")) {
      if (!Nodes.isTrue(obj, "immutable")) {
        errs.forbidden("immutable", DataKeys.IMMUTABLE_MSG);
      }
      if (!Nodes.same(Nodes.get(obj, "data"), Nodes.get(old, "data"))) {
        errs.forbidden("data", DataKeys.IMMUTABLE_MSG);
      }
    }
    errs.addAll(validate(obj));
    return errs.list();
  }

  @Override
  public Map<String, Function<ObjectNode, String>> selectableFields() {
    return Map.of("type", o -> Nodes.str(o, "type"));
  }
}
