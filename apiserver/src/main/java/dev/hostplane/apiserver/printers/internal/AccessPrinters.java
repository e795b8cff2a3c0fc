package dev.hostplane.apiserver.printers.internal;

import static dev.hostplane.apiserver.printers.internal.Cells.text;
import static dev.hostplane.apiserver.printers.internal.WorkloadPrinters.age;
import static dev.hostplane.apiserver.printers.internal.WorkloadPrinters.name;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * RoleBindings, ClusterRoleBindings, admission webhook configurations and CertificateSigningRequests, as upstream
 * prints them. (Roles and ClusterRoles have no printer upstream: they get the default NAME / CREATED AT table.)
 * Not API.
 */
final class AccessPrinters {
  private AccessPrinters() {}

  static final Printer ROLE_BINDINGS = Printer.of(AccessPrinters::binding, Column.NAME, Column.string("Role"),
      Column.AGE, Column.wide("Users"), Column.wide("Groups"), Column.wide("ServiceAccounts"));

  static final Printer WEBHOOK_CONFIGURATIONS = Printer.of(
      (w, ages) -> Row.of(name(w), (long) w.path("webhooks").size(), age(w, ages)),
      Column.NAME, Column.integer("Webhooks"), Column.AGE);

  static final Printer CERTIFICATE_SIGNING_REQUESTS = Printer.of(AccessPrinters::csr, Column.NAME, Column.AGE,
      Column.string("SignerName"), Column.string("Requestor"), Column.string("RequestedDuration"),
      Column.string("Condition"));

  /**
   * ROLE is {@code Kind/name}; USERS, GROUPS and SERVICEACCOUNTS ({@code namespace/name}) list subjects by kind,
   * joined by {@code ", "}.
   */
  private static Row binding(ObjectNode b, Ages ages) {
    JsonNode ref = b.path("roleRef");
    List<String> users = new ArrayList<>();
    List<String> groups = new ArrayList<>();
    List<String> serviceAccounts = new ArrayList<>();
    for (JsonNode s : b.path("subjects")) {
      switch (text(s.path("kind"))) {
        case "ServiceAccount" -> serviceAccounts.add(text(s.path("namespace")) + "/" + text(s.path("name")));
        case "User" -> users.add(text(s.path("name")));
        case "Group" -> groups.add(text(s.path("name")));
        default -> { } // upstream collects other kinds but does not print them
      }
    }
    return Row.of(name(b), text(ref.path("kind")) + "/" + text(ref.path("name")), age(b, ages),
        String.join(", ", users), String.join(", ", groups), String.join(", ", serviceAccounts));
  }

  /**
   * CONDITION is Denied, else Approved, else Pending, then {@code ,Failed} and {@code ,Issued} (a certificate is
   * present). REQUESTEDDURATION is {@code expirationSeconds} as a human duration.
   */
  private static Row csr(ObjectNode csr, Ages ages) {
    JsonNode spec = csr.path("spec");
    JsonNode status = csr.path("status");
    boolean approved = false;
    boolean denied = false;
    boolean failed = false;
    for (JsonNode c : status.path("conditions")) {
      switch (text(c.path("type"))) {
        case "Approved" -> approved = true;
        case "Denied" -> denied = true;
        case "Failed" -> failed = true;
        default -> { }
      }
    }
    String condition = denied ? "Denied" : approved ? "Approved" : "Pending";
    if (failed) {
      condition += ",Failed";
    }
    if (!text(status.path("certificate")).isEmpty()) {
      condition += ",Issued";
    }
    String requested = spec.path("expirationSeconds").isNumber()
        ? HumanDuration.format(Duration.ofSeconds(spec.path("expirationSeconds").asLong())) : "<none>";
    return Row.of(name(csr), age(csr, ages), Cells.or(text(spec.path("signerName")), "<none>"),
        text(spec.path("username")), requested, condition);
  }
}
