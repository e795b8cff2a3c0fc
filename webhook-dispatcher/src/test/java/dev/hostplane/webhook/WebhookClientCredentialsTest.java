package dev.hostplane.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.pki.CertificateAuthority;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --admission-control-config-file}: the client credentials presented to webhooks, chosen by host from the
 * kubeconfig each webhook plugin names (inline configuration or a separate file).
 */
class WebhookClientCredentialsTest {
  @TempDir
  Path dir;

  @Test
  void eachWebhookHostGetsItsCertificateTokenOrPassword() throws Exception {
    CertificateAuthority serverCa = CertificateAuthority.generate("webhook-server-ca", Duration.ofDays(1));
    CertificateAuthority clientCa = CertificateAuthority.generate("webhook-client-ca", Duration.ofDays(1));
    clientCa.issueClient("kube-apiserver-webhook", List.of(), Duration.ofDays(1))
        .write(dir.resolve("client.crt"), dir.resolve("client.key"));
    try (WebhookServer mtls = WebhookServer.startWithClientAuth(serverCa, List.of("localhost"),
            WebhookServer::allow, clientCa);
        WebhookServer tokened = WebhookServer.start(serverCa, List.of("localhost"), WebhookServer::allow);
        WebhookServer basic = WebhookServer.start(serverCa, List.of("localhost"), WebhookServer::allow)) {
      // Validating webhooks: a certificate for the mutual-TLS webhook (exact host:port), a token for any other host.
      Files.writeString(dir.resolve("validating.kubeconfig"), """
          apiVersion: v1
          kind: Config
          users:
          - name: "127.0.0.1:%d"
            user:
              client-certificate: client.crt
              client-key: client.key
          - name: "*"
            user:
              token: s3cret
          """.formatted(mtls.port()), StandardCharsets.UTF_8);
      // Mutating webhooks: a username and password, from a configuration in its own file.
      Files.writeString(dir.resolve("mutating.kubeconfig"), """
          apiVersion: v1
          kind: Config
          users:
          - name: "127.0.0.1:%d"
            user:
              username: admission
              password: pa55
          """.formatted(basic.port()), StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("mutating.yaml"), """
          apiVersion: apiserver.config.k8s.io/v1
          kind: WebhookAdmissionConfiguration
          kubeConfigFile: %s
          """.formatted(dir.resolve("mutating.kubeconfig")), StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("admission.yaml"), """
          apiVersion: apiserver.config.k8s.io/v1
          kind: AdmissionConfiguration
          plugins:
          - name: ValidatingAdmissionWebhook
            configuration:
              apiVersion: apiserver.config.k8s.io/v1
              kind: WebhookAdmissionConfiguration
              kubeConfigFile: %s
          - name: MutatingAdmissionWebhook
            path: mutating.yaml
          """.formatted(dir.resolve("validating.kubeconfig")), StandardCharsets.UTF_8);

      try (WebhookFixture f = WebhookFixture.start(dir.resolve("api"), Duration.ofSeconds(30),
          "--admission-control-config-file=" + dir.resolve("admission.yaml"))) {
        f.register(false, "v", hook("mtls.example.com", mtls), hook("token.example.com", tokened));
        f.register(true, "m", hook("basic.example.com", basic));
        HttpResponse<String> r = f.createConfigMap("default", "creds");
        assertEquals(201, r.statusCode(), r.body());

        WebhookServer.Received m = mtls.receivedFor("creds").get(0);
        assertTrue(m.clientSubject() != null && m.clientSubject().contains("CN=kube-apiserver-webhook"),
            "client certificate presented: " + m.clientSubject());
        assertNull(m.authorization(), "the certificate's user has no token");
        WebhookServer.Received t = tokened.receivedFor("creds").get(0);
        assertEquals("Bearer s3cret", t.authorization());
        assertNull(t.clientSubject());
        WebhookServer.Received b = basic.receivedFor("creds").get(0);
        assertEquals("Basic " + Base64.getEncoder().encodeToString("admission:pa55".getBytes(StandardCharsets.UTF_8)),
            b.authorization());
      }

      // Without the configuration, the webhook that requires a client certificate cannot be called: Fail refuses.
      try (WebhookFixture f = WebhookFixture.start(dir.resolve("api2"), Duration.ofSeconds(30))) {
        f.register(false, "v", hook("mtls.example.com", mtls));
        HttpResponse<String> r = f.createConfigMap("default", "no-creds");
        assertEquals(500, r.statusCode(), r.body());
        assertTrue(r.body().contains("failed calling webhook \\\"mtls.example.com\\\"")
            && r.body().contains("bad_certificate"), r.body());
      }
    }
  }

  @Test
  void aBadConfigurationFileFailsStartUpNamingIt() throws Exception {
    Files.writeString(dir.resolve("admission.yaml"), """
        apiVersion: apiserver.config.k8s.io/v1
        kind: AdmissionConfiguration
        plugins:
        - name: ValidatingAdmissionWebhook
          configuration:
            kind: WebhookAdmissionConfiguration
            kubeConfigFile: /nonexistent/webhooks.kubeconfig
        """, StandardCharsets.UTF_8);
    IOException e = assertThrows(IOException.class, () -> WebhookFixture.start(dir.resolve("api"),
        Duration.ofSeconds(30), "--admission-control-config-file=" + dir.resolve("admission.yaml")));
    assertTrue(e.getMessage().contains("--admission-control-config-file " + dir.resolve("admission.yaml")),
        e.getMessage());
    assertTrue(e.getMessage().contains("/nonexistent/webhooks.kubeconfig"), e.getMessage());
  }

  private static ObjectNode hook(String name, WebhookServer server) {
    return WebhookFixture.hook(name, server, "/admit");
  }
}
