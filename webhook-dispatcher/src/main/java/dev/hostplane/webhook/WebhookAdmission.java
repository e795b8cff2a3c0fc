package dev.hostplane.webhook;

import dev.hostplane.apiserver.admission.Admission;
import dev.hostplane.apiserver.admission.AdmissionPluginFactory;
import dev.hostplane.apiserver.admission.Attributes;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.webhook.internal.Dispatcher;
import dev.hostplane.webhook.internal.MatchConditions;
import dev.hostplane.webhook.internal.Sources;
import dev.hostplane.webhook.internal.WebhookClient;
import dev.hostplane.webhook.internal.WebhookCredentials;
import dev.hostplane.webhook.internal.WebhookMetrics;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The admission webhooks as one admission plugin: {@link #admit} calls the MutatingWebhookConfigurations' webhooks
 * (upstream's MutatingAdmissionWebhook), {@link #validate} the ValidatingWebhookConfigurations' (upstream's
 * ValidatingAdmissionWebhook). Configurations, Namespaces, Services and Endpoints are followed from storage;
 * Service-referenced webhooks are dialled through the {@code cluster} egress, URLs through {@code controlplane}.
 *
 * <p>Register it with {@code ApiServer.start(config, storage, List.of(WebhookAdmission.factory()))}. CONNECT
 * requests (exec, attach, port-forward) reach it through the admission chain like any write: see
 * {@code GenericStore.admitConnect}.
 */
public final class WebhookAdmission implements Admission, AutoCloseable {
  /** Idle webhook connections are closed after this, well before a 60 s idle reset on the network path. */
  public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

  private final Sources sources;
  private final WebhookClient client;
  private final Dispatcher dispatcher;
  private final EventLoopGroup loops;
  private final ExecutorService executor;

  private WebhookAdmission(AdmissionPluginFactory.Context context, Duration idleTimeout) {
    // First, so that a bad --admission-control-config-file fails start-up before anything is started.
    WebhookCredentials credentials = WebhookCredentials.load(context.admissionControlConfigFile());
    this.loops = new NioEventLoopGroup(2, new DefaultThreadFactory("webhook-client", true));
    this.executor = new ThreadPoolExecutor(2, 2, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        new DefaultThreadFactory("webhook-dispatch", true));
    this.sources = new Sources(context.registry());
    this.client = new WebhookClient(loops, idleTimeout);
    this.dispatcher = new Dispatcher(sources, client, new WebhookMetrics(context.metrics()), executor,
        context.registry().catalog(), context.cluster(), context.controlplane(), credentials);
  }

  /** The plugin factory to register with the apiserver. */
  public static AdmissionPluginFactory factory() {
    return context -> new WebhookAdmission(context, IDLE_TIMEOUT);
  }

  /** A factory with another idle timeout for pooled connections (tests). */
  public static AdmissionPluginFactory factory(Duration idleTimeout) {
    return context -> new WebhookAdmission(context, idleTimeout);
  }

  @Override
  public CompletionStage<Void> admit(Attributes attributes) {
    return sources.ready().thenCompose(v -> dispatcher.mutate(attributes));
  }

  /**
   * Validating webhooks; and, for webhook configurations being written, the compilation of their
   * {@code matchConditions} (422 Invalid, as upstream refuses an expression that does not compile).
   */
  @Override
  public CompletionStage<Void> validate(Attributes attributes) {
    if (isWebhookConfiguration(attributes) && attributes.object() != null) {
      List<Status.Cause> causes = MatchConditions.configurationErrors(attributes.object());
      if (!causes.isEmpty()) {
        return CompletableFuture.failedFuture(ApiException.invalid(attributes.type().group(),
            attributes.type().kind(), attributes.name(), causes));
      }
    }
    return sources.ready().thenCompose(v -> dispatcher.validate(attributes));
  }

  private static boolean isWebhookConfiguration(Attributes a) {
    return a.type().group().equals("admissionregistration.k8s.io")
        && (a.type().resource().equals("mutatingwebhookconfigurations")
            || a.type().resource().equals("validatingwebhookconfigurations"))
        && (a.operation() == Attributes.Operation.CREATE || a.operation() == Attributes.Operation.UPDATE);
  }

  /** The names of the webhooks in force (as last read from storage), mutating first, each in call order. */
  public java.util.List<String> webhooks() {
    return sources.webhookNames();
  }

  /** Connections to webhooks open now (idle and busy). */
  public int openConnections() {
    return client.openConnections();
  }

  @Override
  public void close() {
    sources.close();
    client.close();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    executor.shutdown();
  }
}
