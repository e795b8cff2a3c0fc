package dev.hostplane.apiserver.admission;

import java.time.Instant;

/**
 * What an admission plugin may add to the request it admits (warnings for the client, annotations for the audit
 * event) and the request's deadline. Implementations are thread-safe: plugins call them from any thread.
 */
public interface AdmissionContext {
  /** Adds a {@code Warning} header to the response (sent once per distinct text). */
  void addWarning(String text);

  /** Adds an annotation to the request's audit event; ignored when the request is not audited. */
  void addAuditAnnotation(String key, String value);

  /** When the request times out (its {@code --request-timeout} or {@code ?timeout=}); null when it has none. */
  Instant deadline();

  /** For writes that no client waits on (controllers): warnings and annotations go nowhere, no deadline. */
  AdmissionContext NONE = new AdmissionContext() {
    @Override
    public void addWarning(String text) {}

    @Override
    public void addAuditAnnotation(String key, String value) {}

    @Override
    public Instant deadline() {
      return null;
    }
  };
}
