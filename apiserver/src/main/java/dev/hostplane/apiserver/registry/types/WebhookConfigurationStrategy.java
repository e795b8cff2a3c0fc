package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.Validation;
import dev.hostplane.apiserver.registry.Strategy;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration and MutatingWebhookConfiguration: upstream's v1
 * defaults (failurePolicy Fail, matchPolicy Equivalent, empty selectors, timeout 10 s, service port 443, rule
 * scope "*", reinvocationPolicy Never for mutating hooks) and validation of names, client configs, side effects,
 * review versions, rules and timeouts.
 */
final class WebhookConfigurationStrategy implements Strategy {
  private static final String URL_FORM = "; desired format: https://host[/path]";
  private static final List<String> OPERATIONS = List.of("*", "CONNECT", "CREATE", "DELETE", "UPDATE");
  private final boolean mutating;

  private WebhookConfigurationStrategy(boolean mutating) {
    this.mutating = mutating;
  }

  static WebhookConfigurationStrategy validating() {
    return new WebhookConfigurationStrategy(false);
  }

  static WebhookConfigurationStrategy mutating() {
    return new WebhookConfigurationStrategy(true);
  }

  @Override
  public void applyDefaults(ObjectNode obj) {
    for (ObjectNode hook : Nodes.objects(obj, "webhooks")) {
      Nodes.defaultText(hook, "failurePolicy", "Fail");
      Nodes.defaultText(hook, "matchPolicy", "Equivalent");
      Nodes.ensureObj(hook, "namespaceSelector");
      Nodes.ensureObj(hook, "objectSelector");
      Nodes.defaultNum(hook, "timeoutSeconds", 10);
      if (mutating) {
        Nodes.defaultText(hook, "reinvocationPolicy", "Never");
      }
      for (ObjectNode rule : Nodes.objects(hook, "rules")) {
        Nodes.defaultText(rule, "scope", "*");
      }
      ObjectNode service = Nodes.obj(Nodes.obj(hook, "clientConfig"), "service");
      if (service != null) {
        Nodes.defaultNum(service, "port", 443);
      }
    }
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    Set<String> names = new HashSet<>();
    List<ObjectNode> hooks = Nodes.objects(obj, "webhooks");
    for (int i = 0; i < hooks.size(); i++) {
      String p = "webhooks[" + i + "]";
      ObjectNode hook = hooks.get(i);
      String name = Nodes.text(hook, "name");
      validateHookName(name, p + ".name", errs);
      if (!name.isEmpty() && !names.add(name)) {
        errs.duplicate(p + ".name", name);
      }
      validateHook(hook, p, errs);
    }
    return errs.list();
  }

  /** Upstream IsFullyQualifiedName: a DNS subdomain with at least three segments. */
  private static void validateHookName(String name, String path, CauseList errs) {
    if (name.isEmpty()) {
      errs.required(path);
      return;
    }
    String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    List<String> msgs = Validation.isDns1123Subdomain(n);
    if (!msgs.isEmpty()) {
      errs.invalid(path, n, String.join(",", msgs));
    } else if (n.split("\\.", -1).length < 3) {
      errs.invalid(path, n, "should be a domain with at least three segments separated by dots");
    }
  }

  private void validateHook(ObjectNode hook, String p, CauseList errs) {
    List<ObjectNode> rules = Nodes.objects(hook, "rules");
    for (int r = 0; r < rules.size(); r++) {
      validateRule(rules.get(r), p + ".rules[" + r + "]", errs);
    }
    FieldChecks.oneOf(errs, p + ".failurePolicy", hook, "failurePolicy", "Fail", "Ignore");
    FieldChecks.oneOf(errs, p + ".matchPolicy", hook, "matchPolicy", "Equivalent", "Exact");
    if (mutating) {
      FieldChecks.oneOf(errs, p + ".reinvocationPolicy", hook, "reinvocationPolicy", "IfNeeded", "Never");
    }
    String sideEffects = Nodes.str(hook, "sideEffects");
    if (sideEffects == null) {
      errs.required(p + ".sideEffects", "must specify one of None, NoneOnDryRun");
    } else if (!sideEffects.equals("None") && !sideEffects.equals("NoneOnDryRun")) {
      errs.notSupported(p + ".sideEffects", sideEffects, "None", "NoneOnDryRun");
    }
    validateReviewVersions(Nodes.strings(hook, "admissionReviewVersions"), p + ".admissionReviewVersions", errs);
    Long timeout = Nodes.num(hook, "timeoutSeconds");
    if (timeout != null && (timeout < 1 || timeout > 30)) {
      errs.invalid(p + ".timeoutSeconds", timeout, "the timeout value must be between 1 and 30 seconds");
    }
    LabelSelectors.validate(Nodes.obj(hook, "namespaceSelector"), p + ".namespaceSelector", errs);
    LabelSelectors.validate(Nodes.obj(hook, "objectSelector"), p + ".objectSelector", errs);
    validateClientConfig(Nodes.obj(hook, "clientConfig"), p + ".clientConfig", errs);
    List<ObjectNode> conditions = Nodes.objects(hook, "matchConditions");
    if (conditions.size() > 64) {
      errs.tooMany(p + ".matchConditions", conditions.size(), 64);
    }
    Set<String> conditionNames = new HashSet<>();
    for (int c = 0; c < conditions.size(); c++) {
      String cp = p + ".matchConditions[" + c + "]";
      String cname = Nodes.text(conditions.get(c), "name");
      if (cname.isEmpty()) {
        errs.required(cp + ".name");
      } else {
        errs.invalidEach(cp + ".name", cname, Validation.isQualifiedName(cname));
        if (!conditionNames.add(cname)) {
          errs.duplicate(cp + ".name", cname);
        }
      }
      if (Nodes.text(conditions.get(c), "expression").isEmpty()) {
        errs.required(cp + ".expression");
      }
    }
  }

  private static void validateReviewVersions(List<String> versions, String path, CauseList errs) {
    if (versions.isEmpty()) {
      errs.required(path, "must specify one of v1, v1beta1");
      return;
    }
    Set<String> seen = new HashSet<>();
    boolean accepted = false;
    for (int i = 0; i < versions.size(); i++) {
      String v = versions.get(i);
      if (!seen.add(v)) {
        errs.invalid(path + "[" + i + "]", v, "duplicate version");
        continue;
      }
      errs.invalidEach(path + "[" + i + "]", v, Validation.isDns1035Label(v));
      accepted |= v.equals("v1") || v.equals("v1beta1");
    }
    if (!accepted) {
      errs.invalid(path, new CauseList.Raw(CauseList.goStrings(versions)),
          "must include at least one of v1, v1beta1");
    }
  }

  private static void validateRule(ObjectNode rule, String path, CauseList errs) {
    List<String> ops = Nodes.strings(rule, "operations");
    if (ops.isEmpty()) {
      errs.required(path + ".operations");
    } else if (ops.size() > 1 && ops.contains("*")) {
      errs.invalid(path + ".operations", new CauseList.Raw(CauseList.goStrings(ops)),
          "if '*' is present, must not specify other operations");
    }
    for (int i = 0; i < ops.size(); i++) {
      if (!OPERATIONS.contains(ops.get(i))) {
        errs.notSupported(path + ".operations[" + i + "]", ops.get(i), OPERATIONS);
      }
    }
    for (String[] f : new String[][] {{"apiGroups", "API groups"}, {"apiVersions", "API versions"}}) {
      List<String> values = Nodes.strings(rule, f[0]);
      if (values.isEmpty()) {
        errs.required(path + "." + f[0]);
      } else if (values.size() > 1 && values.contains("*")) {
        errs.invalid(path + "." + f[0], new CauseList.Raw(CauseList.goStrings(values)),
            "if '*' is present, must not specify other " + f[1]);
      }
    }
    List<String> versions = Nodes.strings(rule, "apiVersions");
    for (int i = 0; i < versions.size(); i++) {
      if (versions.get(i).isEmpty()) {
        errs.required(path + ".apiVersions[" + i + "]");
      }
    }
    List<String> resources = Nodes.strings(rule, "resources");
    if (resources.isEmpty()) {
      errs.required(path + ".resources");
    }
    boolean plain = false;
    for (int i = 0; i < resources.size(); i++) {
      String r = resources.get(i);
      if (r.isEmpty()) {
        errs.required(path + ".resources[" + i + "]");
      }
      plain |= !r.isEmpty() && !r.contains("/") && !r.equals("*");
    }
    CauseList.Raw shown = new CauseList.Raw(CauseList.goStrings(resources));
    if (resources.size() > 1 && resources.contains("*/*")) {
      errs.invalid(path + ".resources", shown, "if '*/*' is present, must not specify other resources");
    }
    if (resources.contains("*") && plain) {
      errs.invalid(path + ".resources", shown,
          "if '*' is present, must not specify other resources without subresources");
    }
    FieldChecks.oneOf(errs, path + ".scope", rule, "scope", "*", "Cluster", "Namespaced");
  }

  private static void validateClientConfig(ObjectNode cc, String path, CauseList errs) {
    boolean hasUrl = Nodes.has(cc, "url");
    ObjectNode service = Nodes.obj(cc, "service");
    if (hasUrl == (service != null)) {
      errs.required(path, "exactly one of url or service is required");
      return;
    }
    if (hasUrl) {
      validateUrl(Nodes.text(cc, "url"), path + ".url", errs);
      return;
    }
    String sp = path + ".service";
    if (Nodes.text(service, "name").isEmpty()) {
      errs.required(sp + ".name", "service name is required");
    }
    if (Nodes.text(service, "namespace").isEmpty()) {
      errs.required(sp + ".namespace", "service namespace is required");
    }
    Long port = Nodes.num(service, "port");
    if (port != null && (port < 1 || port > 65535)) {
      errs.invalid(sp + ".port", port, "port is not valid: " + FieldChecks.PORT_RANGE);
    }
    String urlPath = Nodes.str(service, "path");
    if (urlPath == null || urlPath.isEmpty() || urlPath.equals("/")) {
      return;
    }
    if (urlPath.equals("//")) {
      errs.invalid(sp + ".path", urlPath, "segment[0] may not be empty");
      return;
    }
    if (!urlPath.startsWith("/")) {
      errs.invalid(sp + ".path", urlPath, "must start with a '/'");
    }
    String check = urlPath.substring(urlPath.startsWith("/") ? 1 : 0);
    if (check.endsWith("/")) {
      check = check.substring(0, check.length() - 1);
    }
    String[] steps = check.split("/", -1);
    for (int i = 0; i < steps.length; i++) {
      if (steps[i].isEmpty()) {
        errs.invalid(sp + ".path", urlPath, "segment[" + i + "] may not be empty");
        continue;
      }
      for (String failure : Validation.isDns1123Subdomain(steps[i])) {
        errs.invalid(sp + ".path", urlPath, "segment[" + i + "]: " + failure);
      }
    }
  }

  /** Upstream ValidateWebhookURL with https forced. */
  private static void validateUrl(String url, String path, CauseList errs) {
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException e) {
      errs.required(path, "url must be a valid URL: " + e.getMessage() + URL_FORM);
      return;
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme();
    if (!scheme.equals("https")) {
      errs.invalid(path, scheme, "'https' is the only allowed URL scheme" + URL_FORM);
    }
    String host = u.getRawAuthority() == null ? "" : u.getRawAuthority();
    if (u.getRawUserInfo() != null) {
      host = host.substring(u.getRawUserInfo().length() + 1);
    }
    if (host.isEmpty()) {
      errs.invalid(path, host, "host must be specified" + URL_FORM);
    }
    if (u.getRawUserInfo() != null) {
      errs.invalid(path, u.getRawUserInfo(), "user information is not permitted in the URL");
    }
    if (u.getRawFragment() != null && !u.getRawFragment().isEmpty()) {
      errs.invalid(path, u.getRawFragment(), "fragments are not permitted in the URL");
    }
    if (u.getRawQuery() != null && !u.getRawQuery().isEmpty()) {
      errs.invalid(path, u.getRawQuery(), "query parameters are not permitted in the URL");
    }
  }

  @Override
  public boolean tracksGeneration() {
    return true;
  }
}
