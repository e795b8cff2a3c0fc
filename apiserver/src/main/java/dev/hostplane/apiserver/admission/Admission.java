package dev.hostplane.apiserver.admission;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An admission plugin. {@link #admit} (mutating) runs before the type's strategy and may change
 * {@code attributes.object()} in place; {@link #validate} runs after validation, just before storage, and may only
 * refuse. A failed future refuses the request with the failure's Status (an ApiException), and fails closed: any
 * other exception becomes a 500.
 */
public interface Admission {
  default CompletionStage<Void> admit(Attributes attributes) {
    return CompletableFuture.completedFuture(null);
  }

  default CompletionStage<Void> validate(Attributes attributes) {
    return CompletableFuture.completedFuture(null);
  }

  /** A plugin that delegates to whatever {@code current} returns at each call (set once the plugin exists). */
  static Admission deferred(java.util.function.Supplier<Admission> current) {
    return new Admission() {
      @Override
      public CompletionStage<Void> admit(Attributes a) {
        return current.get().admit(a);
      }

      @Override
      public CompletionStage<Void> validate(Attributes a) {
        return current.get().validate(a);
      }
    };
  }

  /** Runs {@code plugins} in order, each phase serially; the first refusal wins. */
  static Admission chain(List<Admission> plugins) {
    List<Admission> all = List.copyOf(plugins);
    return new Admission() {
      @Override
      public CompletionStage<Void> admit(Attributes a) {
        CompletionStage<Void> s = CompletableFuture.completedFuture(null);
        for (Admission p : all) {
          s = s.thenCompose(v -> p.admit(a));
        }
        return s;
      }

      @Override
      public CompletionStage<Void> validate(Attributes a) {
        CompletionStage<Void> s = CompletableFuture.completedFuture(null);
        for (Admission p : all) {
          s = s.thenCompose(v -> p.validate(a));
        }
        return s;
      }
    };
  }
}
