package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;
import java.util.Map;

/** core/v1 ConfigMap: key rules, no key in both data and binaryData, 1 MiB in total, the immutable flag. */
final class ConfigMapStrategy implements Strategy {
  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    DataKeys.validateKeys(obj, "data", errs);
    DataKeys.validateKeys(obj, "binaryData", errs);
    long size = 0;
    Map<String, String> data = Nodes.stringMap(obj, "data");
    for (Map.Entry<String, String> e : data.entrySet()) {
      size += DataKeys.utf8Size(e.getKey()) + DataKeys.utf8Size(e.getValue());
    }
    for (String key : Nodes.stringMap(obj, "binaryData").keySet()) {
      if (data.containsKey(key)) {
        errs.invalid("binaryData[" + key + "]", key, "duplicate of key present in data");
      }
      size += DataKeys.utf8Size(key);
    }
    size += DataKeys.decodedSize(obj, "binaryData", errs);
    if (size > DataKeys.MAX_SIZE) {
      errs.tooLong("", DataKeys.MAX_SIZE);
    }
    return errs.list();
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    if (Nodes.isTrue(old, "immutable")) {
      if (!Nodes.isTrue(obj, "immutable")) {
        errs.forbidden("immutable", DataKeys.IMMUTABLE_MSG);
      }
      if (!Nodes.same(Nodes.get(obj, "data"), Nodes.get(old, "data"))) {
        errs.forbidden("data", DataKeys.IMMUTABLE_MSG);
      }
      if (!Nodes.same(Nodes.get(obj, "binaryData"), Nodes.get(old, "binaryData"))) {
        errs.forbidden("binaryData", DataKeys.IMMUTABLE_MSG);
      }
    }
    errs.addAll(validate(obj));
    return errs.list();
  }
}
