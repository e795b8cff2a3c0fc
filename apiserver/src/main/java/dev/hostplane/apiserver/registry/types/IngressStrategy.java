package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.Validation;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;

/**
 * networking.k8s.io/v1 Ingress: rules or a default backend; every path has a pathType, Exact and Prefix paths are
 * absolute and clean; each backend is a service (name and port name or number) or a resource, not both.
 */
final class IngressStrategy implements Strategy {
  private static final List<String> UNCLEAN = List.of("//", "/./", "/../", "%2f", "%2F");

  @Override
  public void prepareForCreate(ObjectNode obj) {
    obj.putObject("status").putObject("loadBalancer");
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode spec = Nodes.obj(obj, "spec");
    List<ObjectNode> rules = Nodes.objects(spec, "rules");
    ObjectNode defaultBackend = Nodes.obj(spec, "defaultBackend");
    if (rules.isEmpty() && defaultBackend == null) {
      errs.invalid("spec", new CauseList.Raw("[]networking.IngressRule(nil)"),
          "either `defaultBackend` or `rules` must be specified");
    }
    if (defaultBackend != null) {
      validateBackend(defaultBackend, "spec.defaultBackend", errs);
    }
    String className = Nodes.str(spec, "ingressClassName");
    if (className != null) {
      errs.invalidEach("spec.ingressClassName", className, Validation.isDns1123Subdomain(className));
    }
    for (int i = 0; i < rules.size(); i++) {
      validateRule(rules.get(i), "spec.rules[" + i + "]", errs);
    }
    List<ObjectNode> tls = Nodes.objects(spec, "tls");
    for (int i = 0; i < tls.size(); i++) {
      List<String> hosts = Nodes.strings(tls.get(i), "hosts");
      for (int h = 0; h < hosts.size(); h++) {
        validateHost(hosts.get(h), "spec.tls[" + i + "].hosts[" + h + "]", errs);
      }
    }
    return errs.list();
  }

  private static void validateRule(ObjectNode rule, String path, CauseList errs) {
    String host = Nodes.text(rule, "host");
    if (!host.isEmpty()) {
      validateHost(host, path + ".host", errs);
    }
    ObjectNode http = Nodes.obj(rule, "http");
    if (http == null) {
      return;
    }
    List<ObjectNode> paths = Nodes.objects(http, "paths");
    if (paths.isEmpty()) {
      errs.required(path + ".http.paths");
    }
    for (int i = 0; i < paths.size(); i++) {
      ObjectNode p = paths.get(i);
      String pp = path + ".http.paths[" + i + "]";
      String pathType = Nodes.text(p, "pathType");
      String value = Nodes.text(p, "path");
      switch (pathType) {
        case "" -> errs.required(pp + ".pathType", "pathType must be specified");
        case "Exact", "Prefix" -> {
          if (!value.startsWith("/")) {
            errs.invalid(pp + ".path", value, "must be an absolute path");
          }
          for (String bad : UNCLEAN) {
            if (value.contains(bad)) {
              errs.invalid(pp + ".path", value, "must not contain '" + bad + "'");
            }
          }
          for (String suffix : List.of("/..", "/.")) {
            if (value.endsWith(suffix)) {
              errs.invalid(pp + ".path", value, "cannot end with '" + suffix + "'");
            }
          }
        }
        case "ImplementationSpecific" -> {
          if (!value.isEmpty() && !value.startsWith("/")) {
            errs.invalid(pp + ".path", value, "must be an absolute path");
          }
        }
        default -> errs.notSupported(pp + ".pathType", pathType, "Exact", "ImplementationSpecific", "Prefix");
      }
      ObjectNode backend = Nodes.obj(p, "backend");
      if (backend == null) {
        errs.invalid(pp + ".backend", "", "resource or service backend is required");
      } else {
        validateBackend(backend, pp + ".backend", errs);
      }
    }
  }

  private static void validateHost(String host, String path, CauseList errs) {
    if (IpAddresses.parse(host) != null) {
      errs.invalid(path, host, "must be a DNS name, not an IP address");
      return;
    }
    String h = host.startsWith("*.") ? host.substring(2) : host;
    errs.invalidEach(path, host, Validation.isDns1123Subdomain(h));
  }

  private static void validateBackend(ObjectNode backend, String path, CauseList errs) {
    ObjectNode service = Nodes.obj(backend, "service");
    ObjectNode resource = Nodes.obj(backend, "resource");
    if (service != null && resource != null) {
      errs.invalid(path, "", "cannot set both resource and service backends");
      return;
    }
    if (resource != null) {
      if (Nodes.text(resource, "kind").isEmpty()) {
        errs.required(path + ".resource.kind");
      }
      if (Nodes.text(resource, "name").isEmpty()) {
        errs.required(path + ".resource.name");
      }
      return;
    }
    if (service == null) {
      errs.invalid(path, "", "resource or service backend is required");
      return;
    }
    String name = Nodes.text(service, "name");
    if (name.isEmpty()) {
      errs.required(path + ".service.name");
    } else {
      errs.invalidEach(path + ".service.name", name, Validation.isDns1035Label(name));
    }
    ObjectNode port = Nodes.obj(service, "port");
    String portName = Nodes.text(port, "name");
    Long number = Nodes.num(port, "number");
    boolean hasNumber = number != null && number != 0;
    if (!portName.isEmpty() && hasNumber) {
      errs.invalid(path, "", "cannot set both port name & port number");
    } else if (!portName.isEmpty()) {
      errs.invalidEach(path + ".service.port.name", portName, FieldChecks.portName(portName));
    } else if (hasNumber) {
      FieldChecks.portNumber(errs, path + ".service.port.number", number);
    } else {
      errs.required(path, "port name or number is required");
    }
  }

  @Override
  public boolean tracksGeneration() {
    return true;
  }
}
