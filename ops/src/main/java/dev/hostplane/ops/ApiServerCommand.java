package dev.hostplane.ops;

import dev.hostplane.apiserver.ApiServer;
import dev.hostplane.apiserver.ApiServerConfig;
import dev.hostplane.apiserver.admission.AdmissionPluginFactory;
import dev.hostplane.apiserver.config.Flags;
import dev.hostplane.webhook.WebhookAdmission;
import java.io.IOException;
import java.util.List;

/** {@code hostplane apiserver}: runs one apiserver until SIGTERM/SIGINT, then shuts it down gracefully. */
final class ApiServerCommand {
  private ApiServerCommand() {}

  /**
   * The admission plugins built outside the apiserver module that every apiserver this binary runs should have:
   * the admission webhooks (MutatingAdmissionWebhook, ValidatingAdmissionWebhook).
   */
  static List<AdmissionPluginFactory> admissionPlugins() {
    return List.of(WebhookAdmission.factory());
  }

  static int run(List<String> args) {
    Flags flags = ApiServerConfig.flags();
    List<String> positional = flags.parse(args);
    if (flags.bool("help")) {
      System.out.println("Usage: hostplane apiserver [flags]\n\nFlags:\n" + flags.usage());
      return 0;
    }
    if (!positional.isEmpty()) {
      throw new Flags.FlagException("unexpected arguments: " + positional);
    }
    ApiServerConfig config = ApiServerConfig.from(flags);
    ApiServer server;
    try {
      server = ApiServer.start(config, null, admissionPlugins());
    } catch (IOException e) {
      System.err.println("hostplane apiserver: cannot start: " + e.getMessage());
      return 1;
    } catch (RuntimeException e) {
      System.err.println("hostplane apiserver: cannot start: " + e);
      return 1;
    }
    if (server.kubeconfig() != null) {
      System.out.println("Admin kubeconfig: " + server.kubeconfig().toAbsolutePath()
          + "\n  kubectl --kubeconfig " + server.kubeconfig().toAbsolutePath() + " get namespaces");
    }
    return Commands.runUntilShutdown(server::close);
  }
}
