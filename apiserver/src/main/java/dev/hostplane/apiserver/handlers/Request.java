package dev.hostplane.apiserver.handlers;

import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.filter.RequestInfo;
import dev.hostplane.apiserver.server.HttpExchange;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request as the handlers see it: the exchange, its decoded path and query, the parsed {@link RequestInfo}, and
 * the authenticated and effective users. Built once per request; immutable apart from the users, set after
 * authentication and impersonation.
 */
public final class Request {
  private final HttpExchange exchange;
  private final String path;
  private final Map<String, List<String>> query;
  private final RequestInfo info;
  private volatile UserInfo user = UserInfo.ANONYMOUS;
  private volatile UserInfo authenticatedUser = UserInfo.ANONYMOUS;
  private volatile dev.hostplane.apiserver.audit.AuditContext audit;
  private volatile java.time.Instant deadline;
  /** Warnings for the response's Warning header, deduplicated, in order; added from any thread. */
  private final java.util.Set<String> warnings =
      java.util.Collections.synchronizedSet(new java.util.LinkedHashSet<>());

  private Request(HttpExchange exchange, String path, Map<String, List<String>> query, RequestInfo info) {
    this.exchange = exchange;
    this.path = path;
    this.query = query;
    this.info = info;
  }

  /** Parses the exchange's target; a malformed target fails with 400. */
  public static Request of(HttpExchange exchange) {
    String uri = exchange.uri();
    int q = uri.indexOf('?');
    String rawPath = q < 0 ? uri : uri.substring(0, q);
    String rawQuery = q < 0 ? "" : uri.substring(q + 1);
    try {
      int hash = rawQuery.indexOf('#');
      if (hash >= 0) {
        rawQuery = rawQuery.substring(0, hash);
      }
      String path = URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8);
      Map<String, List<String>> query = new LinkedHashMap<>();
      for (String pair : rawQuery.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        query.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
      }
      RequestInfo info = dev.hostplane.apiserver.filter.RequestInfoParser.parse(exchange.method(), path, query);
      return new Request(exchange, path, query, info);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("malformed request URI: " + e.getMessage());
    }
  }

  public HttpExchange exchange() {
    return exchange;
  }

  public String path() {
    return path;
  }

  public RequestInfo info() {
    return info;
  }

  /** The user the request acts as: the impersonated user when it impersonates, else {@link #authenticatedUser}. */
  public UserInfo user() {
    return user;
  }

  /** The user its credentials authenticated (audit's {@code user}; {@link #user} is then the impersonated one). */
  public UserInfo authenticatedUser() {
    return authenticatedUser;
  }

  /** True when the request impersonates another user. */
  public boolean impersonates() {
    return user != authenticatedUser;
  }

  void user(UserInfo authenticated, UserInfo effective) {
    this.authenticatedUser = authenticated;
    this.user = effective;
  }

  /** The request's audit context, or null when it is not audited. */
  public dev.hostplane.apiserver.audit.AuditContext audit() {
    return audit;
  }

  void audit(dev.hostplane.apiserver.audit.AuditContext ctx) {
    this.audit = ctx;
  }

  /** Adds a warning for the response (upstream's {@code Warning: 299 - "..."}); repeats are sent once. */
  public void addWarning(String text) {
    warnings.add(text);
  }

  /** The warnings added so far, in order. */
  public List<String> warnings() {
    synchronized (warnings) {
      return List.copyOf(warnings);
    }
  }

  /** When this request times out; null for long-running requests, which have no deadline. */
  public java.time.Instant deadline() {
    return deadline;
  }

  void deadline(java.time.Instant at) {
    this.deadline = at;
  }

  /** This request as admission plugins reach it: its warnings, its audit event, its deadline. */
  public dev.hostplane.apiserver.admission.AdmissionContext admissionContext() {
    Request req = this;
    return new dev.hostplane.apiserver.admission.AdmissionContext() {
      @Override
      public void addWarning(String text) {
        req.addWarning(text);
      }

      @Override
      public void addAuditAnnotation(String key, String value) {
        dev.hostplane.apiserver.audit.AuditContext a = req.audit;
        if (a != null) {
          a.annotate(key, value);
        }
      }

      @Override
      public java.time.Instant deadline() {
        return req.deadline;
      }
    };
  }

  /** The first value of a query parameter, or null. */
  public String param(String name) {
    List<String> v = query.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  public List<String> params(String name) {
    return query.getOrDefault(name, List.of());
  }

  public boolean has(String name) {
    return query.containsKey(name);
  }

  /** A boolean parameter: "true"/"1" -> true, "false"/"0"/"" -> false; anything else 400. Absent -> null. */
  public Boolean boolParam(String name) {
    String v = param(name);
    if (v == null) {
      return null;
    }
    return switch (v) {
      case "true", "1", "True", "TRUE" -> true;
      case "false", "0", "", "False", "FALSE" -> false;
      default -> throw ApiException.badRequest("invalid value for " + name + ": \"" + v + "\": not a boolean");
    };
  }

  /** An integer parameter; absent -> null; not an integer -> 400. */
  public Long longParam(String name) {
    String v = param(name);
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("invalid value for " + name + ": \"" + v + "\": not an integer");
    }
  }
}
