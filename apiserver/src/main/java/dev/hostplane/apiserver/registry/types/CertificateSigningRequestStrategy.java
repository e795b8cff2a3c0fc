package dev.hostplane.apiserver.registry.types;

import dev.hostplane.apiserver.api.NameRule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.Validation;
import dev.hostplane.apiserver.registry.NamedBy;
import dev.hostplane.apiserver.registry.Strategy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * certificates.k8s.io/v1 CertificateSigningRequest: a signed PEM PKCS#10 request, a signer name, known usages. The
 * spec is fixed at creation: updates silently keep the stored spec (as upstream). Approval and status go through
 * subresources the store handles; their conditions are checked here: types required and unique, Approved and
 * Denied only "True" and never together, and none of Approved, Denied or Failed ever removed.
 *
 * <p>Not done here: upstream fills spec.username/uid/groups/extra from the requesting user on create; strategies
 * have no request context, so the store must set them.
 */
final class CertificateSigningRequestStrategy implements Strategy, NamedBy {
  static final List<String> USAGES = List.of("signing", "digital signature", "content commitment",
      "key encipherment", "key agreement", "data encipherment", "cert sign", "crl sign", "encipher only",
      "decipher only", "any", "server auth", "client auth", "code signing", "email protection", "s/mime",
      "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc",
      "netscape sgc");
  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)\\s*-----END \\1-----");
  private static final List<String> STICKY = List.of("Approved", "Denied", "Failed");
  /** A private provider instance: verifies any key type without registering Bouncy Castle globally. */
  private static final BouncyCastleProvider BC = new BouncyCastleProvider();

  @Override
  public NameRule nameRule() {
    return NameRule.PATH_SEGMENT;
  }

  @Override
  public void prepareForCreate(ObjectNode obj) {
    obj.putObject("status");
  }

  @Override
  public void prepareForUpdate(ObjectNode obj, ObjectNode old) {
    ObjectNode oldSpec = Nodes.obj(old, "spec");
    if (oldSpec != null) {
      obj.set("spec", oldSpec.deepCopy());
    }
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode spec = Nodes.obj(obj, "spec");
    validateRequest(Nodes.str(spec, "request"), errs);
    validateSignerName(Nodes.text(spec, "signerName"), "spec.signerName", errs);
    List<String> usages = Nodes.strings(spec, "usages");
    if (usages.isEmpty()) {
      errs.required("spec.usages", "usages must be provided");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < usages.size(); i++) {
      String u = usages.get(i);
      if (!USAGES.contains(u)) {
        errs.notSupported("spec.usages[" + i + "]", u, USAGES);
      }
      if (!seen.add(u)) {
        errs.duplicate("spec.usages", u);
      }
    }
    Long expiration = Nodes.num(spec, "expirationSeconds");
    if (expiration != null && expiration < 600) {
      errs.invalid("spec.expirationSeconds", expiration,
          "may not specify a duration less than 600 seconds (10 minutes)");
    }
    validateConditions(obj, errs);
    return errs.list();
  }

  private static void validateRequest(String request, CauseList errs) {
    if (request == null || request.isEmpty()) {
      errs.required("spec.request");
      return;
    }
    CauseList.Raw shown = new CauseList.Raw("[]byte{...}");
    byte[] pem = DataKeys.decode(request);
    if (pem == null) {
      errs.invalid("spec.request", shown, "illegal base64 data");
      return;
    }
    Matcher m = PEM.matcher(new String(pem, StandardCharsets.US_ASCII));
    if (!m.find() || !m.group(1).equals("CERTIFICATE REQUEST")) {
      errs.invalid("spec.request", shown, "PEM block type must be CERTIFICATE REQUEST");
      return;
    }
    try {
      byte[] der = java.util.Base64.getMimeDecoder().decode(m.group(2));
      PKCS10CertificationRequest csr = new PKCS10CertificationRequest(der);
      if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(BC)
          .build(csr.getSubjectPublicKeyInfo()))) {
        errs.invalid("spec.request", shown, "x509: invalid signature");
      }
    } catch (IOException | IllegalArgumentException e) {
      errs.invalid("spec.request", shown, "x509: malformed certificate request");
    } catch (OperatorCreationException | PKCSException e) {
      errs.invalid("spec.request", shown, "x509: cannot verify signature: " + e.getMessage());
    }
  }

  /** Upstream ValidateSignerName: {@code <domain with a dot>/<path>}. */
  static void validateSignerName(String signer, String path, CauseList errs) {
    if (signer.isEmpty()) {
      errs.required(path);
      return;
    }
    String[] segments = signer.split("/", -1);
    if (segments.length != 2) {
      errs.invalid(path, signer, "must be a fully qualified domain and path of the form 'example.com/signer-name'");
      return;
    }
    String domain = segments[0];
    if (domain.length() > 253) {
      errs.tooLong(path, 253);
    }
    String[] labels = domain.split("\\.", -1);
    for (String label : labels) {
      List<String> msgs = Validation.isDns1123Label(label);
      if (!msgs.isEmpty()) {
        for (String msg : msgs) {
          errs.invalid(path, domain, "validating label " + CauseList.quote(label) + ": " + msg);
        }
        break;
      }
    }
    if (labels.length < 2) {
      errs.invalid(path, domain, "should be a domain with at least two segments separated by dots");
    }
    String rest = segments[1];
    if (rest.isEmpty()) {
      errs.invalid(path, rest, "validating path: must be non-empty");
    } else if (rest.length() > 253 - domain.length() - 1) {
      errs.tooLong(path, 253 - domain.length() - 1);
    }
  }

  private static void validateConditions(ObjectNode obj, CauseList errs) {
    List<ObjectNode> conditions = Nodes.objects(Nodes.obj(obj, "status"), "conditions");
    Set<String> types = new HashSet<>();
    for (int i = 0; i < conditions.size(); i++) {
      ObjectNode c = conditions.get(i);
      String p = "status.conditions[" + i + "]";
      String type = Nodes.text(c, "type");
      String status = Nodes.text(c, "status");
      if (type.isEmpty()) {
        errs.required(p + ".type");
      } else if (!types.add(type)) {
        errs.duplicate(p + ".type", type);
      }
      if ((type.equals("Approved") || type.equals("Denied")) && !status.equals("True")) {
        errs.notSupported(p + ".status", status, "True");
      } else if (!List.of("True", "False", "Unknown").contains(status)) {
        errs.notSupported(p + ".status", status, "True", "False", "Unknown");
      }
    }
    if (types.contains("Approved") && types.contains("Denied")) {
      errs.invalid("status.conditions", Nodes.get(Nodes.obj(obj, "status"), "conditions"),
          "Approved and Denied conditions are mutually exclusive");
    }
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    errs.addAll(validate(obj));
    Set<String> now = new HashSet<>();
    for (ObjectNode c : Nodes.objects(Nodes.obj(obj, "status"), "conditions")) {
      now.add(Nodes.text(c, "type"));
    }
    for (ObjectNode c : Nodes.objects(Nodes.obj(old, "status"), "conditions")) {
      String type = Nodes.text(c, "type");
      if (STICKY.contains(type) && !now.contains(type)) {
        errs.forbidden("status.conditions", "updates may not remove a condition of type " + CauseList.quote(type));
      }
    }
    return errs.list();
  }

  @Override
  public Map<String, Function<ObjectNode, String>> selectableFields() {
    return Map.of("spec.signerName", o -> Nodes.str(Nodes.obj(o, "spec"), "signerName"));
  }
}
