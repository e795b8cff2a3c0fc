package dev.hostplane.apiserver.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.authn.ObjectLookup;
import dev.hostplane.apiserver.filter.RequestInfo;
import dev.hostplane.apiserver.proxy.KubeletClient.Endpoint;
import dev.hostplane.apiserver.proxy.KubeletClient.Security;
import dev.hostplane.apiserver.proxy.internal.Streams;
import dev.hostplane.apiserver.proxy.internal.ResponseRelay;
import dev.hostplane.apiserver.server.HttpExchange;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.QueryStringEncoder;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The subresources served by other components: {@code pods/log} (the kubelet's {@code /containerLogs}),
 * {@code pods/exec}, {@code pods/attach} and {@code pods/portforward} (the kubelet's streaming endpoints, over SPDY
 * or WebSocket from the client), and the {@code proxy} subresources of pods, services and nodes. Every backend
 * connection goes through the {@code cluster} egress ({@link KubeletClient}).
 *
 * <p>Threading: {@link #serve} runs on an API worker (it reads the Pod, Node, Service or Endpoints there, which may
 * block briefly) and returns once the backend is being dialled; the rest runs on event loops. Client mistakes are
 * thrown as {@link ApiException}s before anything is dialled; later failures are answered through the exchange.
 */
public final class ProxyHandler {
  private static final Set<String> POD_SUBRESOURCES = Set.of("log", "exec", "attach", "portforward", "proxy");
  static final String DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container";

  private final KubeletClient kubelets;
  private final ObjectLookup objects;

  public ProxyHandler(KubeletClient kubelets, ObjectLookup objects) {
    this.kubelets = kubelets;
    this.objects = objects;
  }

  /** Whether {@code info} names one of the subresources served here. */
  public static boolean serves(RequestInfo info) {
    if (!info.resourceRequest() || !info.group().isEmpty() || !info.version().equals("v1")
        || info.name().isEmpty()) {
      return false;
    }
    return switch (info.resource()) {
      case "pods" -> POD_SUBRESOURCES.contains(info.subresource());
      case "services", "nodes" -> info.subresource().equals("proxy");
      default -> false;
    };
  }

  /**
   * The options object admission sees for a CONNECT request that {@link #serves} accepted (upstream's
   * PodExecOptions, PodAttachOptions, PodPortForwardOptions, PodProxyOptions, ServiceProxyOptions or
   * NodeProxyOptions, built from the query and path), or null for {@code pods/log}, which is not a CONNECT.
   */
  public static com.fasterxml.jackson.databind.node.ObjectNode connectOptions(RequestInfo info, String uri) {
    QueryStringDecoder query = new QueryStringDecoder(uri);
    Map<String, List<String>> q = query.parameters();
    var o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    String kind = switch (info.resource() + "/" + info.subresource()) {
      case "pods/exec" -> "PodExecOptions";
      case "pods/attach" -> "PodAttachOptions";
      case "pods/portforward" -> "PodPortForwardOptions";
      case "pods/proxy" -> "PodProxyOptions";
      case "services/proxy" -> "ServiceProxyOptions";
      case "nodes/proxy" -> "NodeProxyOptions";
      default -> null;
    };
    if (kind == null) {
      return null;
    }
    o.put("kind", kind).put("apiVersion", "v1");
    switch (kind) {
      case "PodExecOptions", "PodAttachOptions" -> {
        for (String flag : List.of("stdin", "stdout", "stderr", "tty")) {
          List<String> v = q.get(flag);
          if (v != null && !v.isEmpty() && List.of("true", "1", "t", "T", "TRUE", "True").contains(v.get(0))) {
            o.put(flag, true);
          }
        }
        List<String> container = q.get("container");
        if (container != null && !container.isEmpty()) {
          o.put("container", container.get(0));
        }
        if (kind.equals("PodExecOptions")) {
          var command = o.putArray("command");
          q.getOrDefault("command", List.of()).forEach(command::add);
        }
      }
      case "PodPortForwardOptions" -> {
        var ports = o.putArray("ports");
        for (String p : q.getOrDefault("ports", List.of())) {
          try {
            ports.add(Integer.parseInt(p));
          } catch (NumberFormatException e) {
            // Ports are named in the stream headers too; a bad one is refused when the stream asks for it.
          }
        }
      }
      default -> {
        String path = query.path();
        int at = path.indexOf("/proxy");
        String rest = at < 0 ? "" : path.substring(at + "/proxy".length());
        if (!rest.isEmpty()) {
          o.put("path", rest);
        }
      }
    }
    return o;
  }

  /** Serves an authorized request that {@link #serves} accepted. */
  public void serve(HttpExchange exchange, RequestInfo info) {
    QueryStringDecoder query = new QueryStringDecoder(exchange.uri());
    Params params = new Params(query.parameters());
    switch (info.resource() + "/" + info.subresource()) {
      case "pods/log" -> logs(exchange, info, params);
      case "pods/exec", "pods/attach" -> Streams.remoteCommand(this, exchange, info, params);
      case "pods/portforward" -> Streams.portForward(this, exchange, info);
      case "pods/proxy" -> podProxy(exchange, info);
      case "services/proxy" -> serviceProxy(exchange, info);
      case "nodes/proxy" -> nodeProxy(exchange, info);
      default -> throw ApiException.notFoundPath();
    }
  }

  public KubeletClient kubelets() {
    return kubelets;
  }

  /** The query parameters of a request, with upstream's parsing of booleans and integers. */
  public record Params(Map<String, List<String>> values) {
    public String get(String name) {
      List<String> v = values.get(name);
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    public List<String> all(String name) {
      return values.getOrDefault(name, List.of());
    }

    public boolean bool(String name) {
      String v = get(name);
      if (v == null || v.isEmpty()) {
        return false;
      }
      return switch (v) {
        case "true", "1", "t", "T", "TRUE", "True" -> true;
        case "false", "0", "f", "F", "FALSE", "False" -> false;
        default -> throw ApiException.badRequest("strconv.ParseBool: parsing \"" + v + "\": invalid syntax");
      };
    }

    public Long integer(String name) {
      String v = get(name);
      if (v == null || v.isEmpty()) {
        return null;
      }
      try {
        return Long.parseLong(v);
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("strconv.ParseInt: parsing \"" + v + "\": invalid syntax");
      }
    }
  }

  // ---- pods and their kubelet ----

  /** The pod, or 404. */
  public ObjectNode pod(RequestInfo info) {
    ObjectNode pod = objects.find("pods", info.namespace(), info.name());
    if (pod == null) {
      throw ApiException.notFound("", "pods", info.name());
    }
    return pod;
  }

  /** The kubelet of the pod's node: 400 when the pod is not bound, 404 when its Node does not exist. */
  public Endpoint kubeletOf(ObjectNode pod) {
    String nodeName = pod.path("spec").path("nodeName").asText("");
    if (nodeName.isEmpty()) {
      throw ApiException.badRequest("pod " + pod.path("metadata").path("name").asText()
          + " does not have a host assigned");
    }
    return kubeletOfNode(nodeName);
  }

  private Endpoint kubeletOfNode(String nodeName) {
    ObjectNode node = objects.find("nodes", "", nodeName);
    if (node == null) {
      throw ApiException.notFound("", "nodes", nodeName);
    }
    return kubelets.kubeletEndpoint(node);
  }

  /**
   * The container a request means: {@code requested}, else the pod's default-container annotation, else its only
   * container; 400 with the choices when ambiguous, 400 when the named container is not in the pod.
   */
  public static String container(ObjectNode pod, String requested) {
    String podName = pod.path("metadata").path("name").asText();
    List<String> containers = names(pod.path("spec").path("containers"));
    List<String> inits = names(pod.path("spec").path("initContainers"));
    List<String> ephemeral = names(pod.path("spec").path("ephemeralContainers"));
    String container = requested == null ? "" : requested;
    if (container.isEmpty()) {
      String annotated = pod.path("metadata").path("annotations").path(DEFAULT_CONTAINER_ANNOTATION).asText("");
      if (!annotated.isEmpty() && containers.contains(annotated)) {
        return annotated;
      }
      if (containers.size() == 1) {
        return containers.get(0);
      }
      if (containers.isEmpty()) {
        throw ApiException.badRequest("a container name must be specified for pod " + podName);
      }
      String message = "a container name must be specified for pod " + podName + ", choose one of: "
          + bracketed(containers);
      if (!inits.isEmpty()) {
        message += " or one of the init containers: " + bracketed(inits);
      }
      if (!ephemeral.isEmpty()) {
        message += " or one of the ephemeral containers: " + bracketed(ephemeral);
      }
      throw ApiException.badRequest(message);
    }
    if (!containers.contains(container) && !inits.contains(container) && !ephemeral.contains(container)) {
      throw ApiException.badRequest("container " + container + " is not valid for pod " + podName);
    }
    return container;
  }

  private static String bracketed(List<String> names) {
    return "[" + String.join(" ", names) + "]";
  }

  private static List<String> names(JsonNode list) {
    List<String> out = new ArrayList<>();
    for (JsonNode c : list) {
      out.add(c.path("name").asText());
    }
    return out;
  }

  /** A GET (or other) request for a backend, with {@code Host} set. */
  public static FullHttpRequest request(HttpMethod method, Endpoint to, String target, byte[] body) {
    FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, target,
        body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    r.headers().set(HttpHeaderNames.HOST, to.hostPort());
    if (body != null && body.length > 0) {
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    }
    return r;
  }

  /** Answers {@code e} on {@code exchange} (for failures after {@link #serve} returned). */
  public static void fail(HttpExchange exchange, Throwable e) {
    Throwable t = e;
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    ApiException ae = t instanceof ApiException a ? a
        : ApiException.unavailable("error dialing backend: " + t.getMessage());
    exchange.respond(ae.code(), Map.of("Content-Type", "application/json"), Codecs.writeJson(ae.status().toJson()));
  }

  // ---- pods/log ----

  private void logs(HttpExchange exchange, RequestInfo info, Params p) {
    if (!exchange.method().equals("GET")) {
      throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
    }
    ObjectNode pod = pod(info);
    String container = container(pod, p.get("container"));
    QueryStringEncoder kubeletQuery = new QueryStringEncoder("/containerLogs/" + info.namespace() + "/"
        + info.name() + "/" + container);
    List<String> errors = new ArrayList<>();
    if (p.bool("follow")) {
      kubeletQuery.addParam("follow", "true");
    }
    if (p.bool("previous")) {
      kubeletQuery.addParam("previous", "true");
    }
    if (p.bool("timestamps")) {
      kubeletQuery.addParam("timestamps", "true");
    }
    Long tail = p.integer("tailLines");
    if (tail != null) {
      if (tail < 0) {
        errors.add("tailLines: Invalid value: " + tail + ": must be greater than or equal to 0");
      }
      kubeletQuery.addParam("tailLines", tail.toString());
    }
    Long limit = p.integer("limitBytes");
    if (limit != null) {
      if (limit < 1) {
        errors.add("limitBytes: Invalid value: " + limit + ": must be greater than 0");
      }
      kubeletQuery.addParam("limitBytes", limit.toString());
    }
    Long sinceSeconds = p.integer("sinceSeconds");
    String sinceTime = p.get("sinceTime");
    if (sinceTime != null && !sinceTime.isEmpty()) {
      try {
        OffsetDateTime.parse(sinceTime);
      } catch (DateTimeParseException e) {
        throw ApiException.badRequest("parsing time \"" + sinceTime + "\" as \"2006-01-02T15:04:05Z07:00\": "
            + "cannot parse it as RFC3339");
      }
    } else {
      sinceTime = null;
    }
    if (sinceSeconds != null && sinceTime != null) {
      errors.add("Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified");
    } else if (sinceSeconds != null) {
      if (sinceSeconds < 1) {
        errors.add("sinceSeconds: Invalid value: " + sinceSeconds + ": must be greater than 0");
      }
      kubeletQuery.addParam("sinceSeconds", sinceSeconds.toString());
    } else if (sinceTime != null) {
      kubeletQuery.addParam("sinceTime", sinceTime);
    }
    if (!errors.isEmpty()) {
      throw ApiException.badRequest("PodLogOptions \"" + info.name() + "\" is invalid: "
          + (errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]"));
    }
    Endpoint kubelet = kubeletOf(pod);
    FullHttpRequest request = request(HttpMethod.GET, kubelet, kubeletQuery.toString(), null);
    kubelets.connect(kubelet, Security.KUBELET, null).whenComplete((ch, err) -> {
      if (err != null) {
        request.release();
        fail(exchange, err);
      } else {
        ResponseRelay.start(ch, request, exchange, ResponseRelay.Mode.LOGS);
      }
    });
  }

  // ---- proxy subresources ----

  /** {@code name}, {@code name:port} or {@code scheme:name:port}, as upstream splits a proxy name. */
  record ProxyName(String scheme, String name, String port) {
    static ProxyName parse(String s) {
      String[] parts = s.split(":", -1);
      return switch (parts.length) {
        case 1 -> new ProxyName("", parts[0], "");
        case 2 -> new ProxyName("", parts[0], parts[1]);
        case 3 -> new ProxyName(parts[0], parts[1], parts[2]);
        default -> throw ApiException.badRequest("invalid proxy name \"" + s + "\"");
      };
    }

    Security security() {
      return switch (scheme) {
        case "", "http" -> Security.NONE;
        case "https" -> Security.INSECURE;
        default -> throw ApiException.badRequest("unsupported scheme \"" + scheme + "\" in \"" + name + "\"");
      };
    }
  }

  /** The path after {@code .../proxy} (always starting with "/") plus the original query. */
  static String proxiedTarget(HttpExchange exchange) {
    String uri = exchange.uri();
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    String query = q < 0 ? "" : uri.substring(q);
    int at = path.indexOf("/proxy");
    String rest = at < 0 ? "" : path.substring(at + "/proxy".length());
    if (!rest.isEmpty() && !rest.startsWith("/")) {
      throw ApiException.notFoundPath();
    }
    return (rest.isEmpty() ? "/" : rest) + query;
  }

  private void podProxy(HttpExchange exchange, RequestInfo info) {
    ProxyName pn = ProxyName.parse(info.name());
    Security security = pn.security();
    ObjectNode pod = objects.find("pods", info.namespace(), pn.name());
    if (pod == null) {
      throw ApiException.notFound("", "pods", pn.name());
    }
    String ip = pod.path("status").path("podIP").asText("");
    if (ip.isEmpty()) {
      throw ApiException.unavailable("address not allowed");
    }
    int port;
    if (pn.port().isEmpty()) {
      port = security == Security.INSECURE ? 443 : 80;
    } else if (pn.port().chars().allMatch(Character::isDigit)) {
      port = Integer.parseInt(pn.port());
    } else {
      port = namedContainerPort(pod, pn.port());
    }
    forward(exchange, new Endpoint(ip, port), security);
  }

  private static int namedContainerPort(ObjectNode pod, String name) {
    for (JsonNode c : pod.path("spec").path("containers")) {
      for (JsonNode p : c.path("ports")) {
        if (name.equals(p.path("name").asText())) {
          return p.path("containerPort").asInt();
        }
      }
    }
    throw ApiException.unavailable("no container port named \"" + name + "\" in pod \""
        + pod.path("metadata").path("name").asText() + "\"");
  }

  private void serviceProxy(HttpExchange exchange, RequestInfo info) {
    ProxyName pn = ProxyName.parse(info.name());
    Security security = pn.security();
    ObjectNode service = objects.find("services", info.namespace(), pn.name());
    if (service == null) {
      throw ApiException.notFound("", "services", pn.name());
    }
    JsonNode servicePort = null;
    for (JsonNode sp : service.path("spec").path("ports")) {
      if (pn.port().isEmpty() || pn.port().equals(sp.path("name").asText())
          || pn.port().equals(sp.path("port").asText())) {
        servicePort = sp;
        break;
      }
    }
    if (servicePort == null) {
      throw ApiException.unavailable("no service port \"" + pn.port() + "\" found for service \"" + pn.name()
          + "\"");
    }
    String portName = servicePort.path("name").asText("");
    ObjectNode endpoints = objects.find("endpoints", info.namespace(), pn.name());
    if (endpoints != null) {
      for (JsonNode subset : endpoints.path("subsets")) {
        for (JsonNode ep : subset.path("ports")) {
          if (!portName.equals(ep.path("name").asText(""))) {
            continue;
          }
          for (JsonNode address : subset.path("addresses")) {
            String ip = address.path("ip").asText("");
            if (!ip.isEmpty()) {
              forward(exchange, new Endpoint(ip, ep.path("port").asInt()), security);
              return;
            }
          }
        }
      }
    }
    throw ApiException.unavailable("no endpoints available for service \"" + pn.name() + "\"");
  }

  private void nodeProxy(HttpExchange exchange, RequestInfo info) {
    ProxyName pn = ProxyName.parse(info.name());
    Endpoint kubelet = kubeletOfNode(pn.name());
    if (!pn.port().isEmpty()) {
      if (!pn.port().chars().allMatch(Character::isDigit)) {
        throw ApiException.badRequest("invalid port \"" + pn.port() + "\" for node \"" + pn.name() + "\"");
      }
      kubelet = new Endpoint(kubelet.host(), Integer.parseInt(pn.port()));
    }
    forward(exchange, kubelet, pn.scheme().equals("http") ? Security.NONE : Security.KUBELET);
  }

  /** Request headers that stay with the apiserver: credentials and hop-by-hop headers. */
  private static final Set<String> NOT_FORWARDED = Set.of("authorization", "connection", "keep-alive",
      "proxy-connection", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host",
      "content-length", "expect", "http2-settings");

  private void forward(HttpExchange exchange, Endpoint to, Security security) {
    boolean upgrade = exchange.header("Upgrade") != null && exchange.canUpgrade();
    FullHttpRequest request = request(HttpMethod.valueOf(exchange.method()), to, proxiedTarget(exchange),
        exchange.body());
    for (String name : exchange.headerNames()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (name.startsWith(":") || NOT_FORWARDED.contains(lower) || lower.startsWith("impersonate-")) {
        continue;
      }
      request.headers().add(name, exchange.headers(name));
    }
    String forwardedFor = exchange.remoteAddress() == null ? null
        : exchange.remoteAddress().getAddress().getHostAddress();
    if (forwardedFor != null) {
      String prior = exchange.header("X-Forwarded-For");
      request.headers().set("X-Forwarded-For", prior == null ? forwardedFor : prior + ", " + forwardedFor);
    }
    if (upgrade) {
      request.headers().set("Connection", "Upgrade").set("Upgrade", exchange.header("Upgrade"));
      Streams.upgradeThrough(kubelets.connect(to, security, null), request, exchange);
      return;
    }
    kubelets.connect(to, security, null).whenComplete((ch, err) -> {
      if (err != null) {
        request.release();
        fail(exchange, err);
      } else {
        ResponseRelay.start(ch, request, exchange, ResponseRelay.Mode.PROXY);
      }
    });
  }
}
