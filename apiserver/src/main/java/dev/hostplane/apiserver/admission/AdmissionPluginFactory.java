package dev.hostplane.apiserver.admission;

import dev.hostplane.apiserver.registry.Registry;
import dev.hostplane.konnectivity.Dialer;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Builds an admission plugin that lives outside the apiserver module (the admission webhooks), once the registry
 * exists. The plugin's {@link Admission#admit} runs after the built-in mutating plugins (upstream's place of
 * MutatingAdmissionWebhook) and its {@link Admission#validate} last (ValidatingAdmissionWebhook). A plugin that is
 * {@link AutoCloseable} is closed when the apiserver stops.
 */
@FunctionalInterface
public interface AdmissionPluginFactory {
  Admission create(Context context);

  /**
   * What a plugin may use.
   *
   * @param registry every store (reads, mirrors of configuration objects)
   * @param cluster the egress towards the cluster's network (Services, pods)
   * @param controlplane the egress towards the control plane's network (URLs)
   * @param metrics the registry {@code /metrics} exports
   * @param requestTimeout {@code --request-timeout}, the longest a request may take
   * @param timer a shared timer thread; tasks on it must not block
   * @param admissionControlConfigFile {@code --admission-control-config-file}, or null; a plugin that cannot use
   *     it fails its creation with an {@link IllegalArgumentException} naming the problem
   */
  record Context(Registry registry, Dialer cluster, Dialer controlplane, MeterRegistry metrics,
      Duration requestTimeout, ScheduledExecutorService timer, java.nio.file.Path admissionControlConfigFile) {}
}
