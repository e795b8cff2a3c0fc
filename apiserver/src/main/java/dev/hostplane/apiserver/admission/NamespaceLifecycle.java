package dev.hostplane.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.ObjectMeta;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Upstream's NamespaceLifecycle plugin: nothing is created in a namespace that does not exist (404) or is being
 * terminated (403 with cause NamespaceTerminating), and the system namespaces cannot be deleted.
 */
public final class NamespaceLifecycle implements Admission {
  public static final Set<String> IMMORTAL = Set.of("default", "kube-system", "kube-public");

  private final Function<String, CompletionStage<ObjectNode>> namespaces;

  /** @param namespaces reads a namespace by name; fails with a 404 ApiException when absent */
  public NamespaceLifecycle(Function<String, CompletionStage<ObjectNode>> namespaces) {
    this.namespaces = namespaces;
  }

  @Override
  public CompletionStage<Void> admit(Attributes a) {
    if (a.operation() != Attributes.Operation.CREATE || !a.type().namespaced() || a.namespace().isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return namespaces.apply(a.namespace()).thenAccept(ns -> {
      if (ObjectMeta.isDeleting(ns)) {
        String msg = "unable to create new content in namespace " + a.namespace()
            + " because it is being terminated";
        String qualified = a.type().group().isEmpty() ? a.type().resource()
            : a.type().resource() + "." + a.type().group();
        throw new ApiException(new Status(403, "Forbidden",
            qualified + " \"" + (a.name() == null ? "" : a.name()) + "\" is forbidden: " + msg,
            new Status.Details(a.name(), a.type().group(), a.type().resource(), null,
                java.util.List.of(new Status.Cause("NamespaceTerminating", msg, "metadata.namespace")), null)));
      }
    });
  }

  @Override
  public CompletionStage<Void> validate(Attributes a) {
    if (a.operation() == Attributes.Operation.DELETE && a.type().resource().equals("namespaces")
        && a.type().group().isEmpty() && IMMORTAL.contains(a.name())) {
      return CompletableFuture.failedFuture(new ApiException(new Status(403, "Forbidden",
          "namespaces \"" + a.name() + "\" is forbidden: this namespace may not be deleted",
          new Status.Details(a.name(), "", "namespaces", null, null, null))));
    }
    return CompletableFuture.completedFuture(null);
  }
}
