package dev.hostplane.konnectivity.server.internal;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the agent's {@code agentID} and {@code agentIdentifiers} request metadata into the call context and answers
 * with the {@code serverID} and {@code serverCount} response headers. A call without exactly one agentID is
 * refused with INVALID_ARGUMENT.
 */
public final class AgentMetadata implements ServerInterceptor {
  public static final Metadata.Key<String> AGENT_ID = Metadata.Key.of("agentID", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> AGENT_IDENTIFIERS =
      Metadata.Key.of("agentIdentifiers", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> SERVER_ID = Metadata.Key.of("serverID", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> SERVER_COUNT =
      Metadata.Key.of("serverCount", Metadata.ASCII_STRING_MARSHALLER);
  public static final Context.Key<String> CTX_AGENT_ID = Context.key("agentID");
  public static final Context.Key<Map<String, List<String>>> CTX_IDENTIFIERS = Context.key("agentIdentifiers");

  private final String serverId;
  private final int serverCount;

  public AgentMetadata(String serverId, int serverCount) {
    this.serverId = serverId;
    this.serverCount = serverCount;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    Iterable<String> ids = headers.getAll(AGENT_ID);
    List<String> idList = new ArrayList<>();
    if (ids != null) {
      ids.forEach(idList::add);
    }
    if (idList.size() != 1 || idList.get(0).isEmpty()) {
      call.close(Status.INVALID_ARGUMENT.withDescription(
          "expected one agentID in the metadata, got " + idList.size()), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Map<String, List<String>> identifiers = parseIdentifiers(headers.get(AGENT_IDENTIFIERS));
    // The agent waits for these headers before it counts the stream, so send them now rather than with the first
    // packet; the stub's own later sendHeaders is then dropped.
    Metadata responseHeaders = new Metadata();
    responseHeaders.put(SERVER_ID, serverId);
    responseHeaders.put(SERVER_COUNT, Integer.toString(serverCount));
    call.sendHeaders(responseHeaders);
    ServerCall<Q, R> withHeaders = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void sendHeaders(Metadata ignored) {}
    };
    Context ctx = Context.current().withValue(CTX_AGENT_ID, idList.get(0)).withValue(CTX_IDENTIFIERS, identifiers);
    return Contexts.interceptCall(ctx, withHeaders, headers, next);
  }

  /** URL-query form, e.g. {@code host=node1&ipv4=10.0.0.5&default-route=true}; malformed pairs are skipped. */
  public static Map<String, List<String>> parseIdentifiers(String query) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (query == null || query.isEmpty()) {
      return out;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      try {
        String k = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
      } catch (IllegalArgumentException e) {
        // Malformed escape: skip the pair.
      }
    }
    return out;
  }
}
