package dev.hostplane.konnectivity.server;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Agent authentication by ServiceAccount token: every {@code AgentService/Connect} stream must carry
 * {@code authorization: Bearer <token>}, and a TokenReview for {@code audience} against the apiserver of
 * {@code kubeconfig} must report it authenticated as {@code system:serviceaccount:<namespace>:<serviceAccount>}.
 *
 * @param namespace {@code --agent-namespace}
 * @param serviceAccount {@code --agent-service-account}
 * @param audience {@code --authentication-audience}
 * @param kubeconfig {@code --kubeconfig}: how to reach the apiserver that reviews tokens
 */
public record AgentTokenAuth(String namespace, String serviceAccount, String audience, Path kubeconfig) {
  public AgentTokenAuth {
    Objects.requireNonNull(kubeconfig, "kubeconfig (--kubeconfig)");
    require("--agent-namespace", namespace);
    require("--agent-service-account", serviceAccount);
    require("--authentication-audience", audience);
  }

  private static void require(String flag, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("agent token authentication needs " + flag);
    }
  }

  /** The only username an agent may authenticate as. */
  public String username() {
    return "system:serviceaccount:" + namespace + ":" + serviceAccount;
  }
}
