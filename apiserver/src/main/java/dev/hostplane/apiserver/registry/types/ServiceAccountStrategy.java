package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.Validation;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;

/** core/v1 ServiceAccount: referenced secret and image-pull-secret names must be DNS subdomains. */
final class ServiceAccountStrategy implements Strategy {
  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    for (String list : List.of("secrets", "imagePullSecrets")) {
      List<ObjectNode> refs = Nodes.objects(obj, list);
      for (int i = 0; i < refs.size(); i++) {
        String name = Nodes.text(refs.get(i), "name");
        if (!name.isEmpty()) {
          errs.invalidEach(list + "[" + i + "].name", name, Validation.isDns1123Subdomain(name));
        }
      }
    }
    return errs.list();
  }

  @Override
  public boolean returnsDeletedObject() {
    return true;
  }
}
