package dev.hostplane.apiserver.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostplane.apiserver.api.Status;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** {@code metav1.Status} bodies for the failures the transport answers itself (413, 500, malformed requests). */
final class StatusResponses {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StatusResponses() {}

  static byte[] json(Status status) {
    try {
      return JSON.writeValueAsBytes(status.toJson());
    } catch (JsonProcessingException e) {
      // A tree of strings and numbers always serialises; keep a valid body regardless.
      return ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"code\":"
          + status.code() + "}").getBytes(StandardCharsets.UTF_8);
    }
  }

  /** A complete response carrying {@code status} as JSON; the caller adds Connection headers. */
  static FullHttpResponse of(Status status) {
    byte[] body = json(status);
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(status.code()), Unpooled.wrappedBuffer(body));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return res;
  }

  /** The transport's 413, worded like upstream's. */
  static Status tooLarge(long limit) {
    return Status.of(413, "RequestEntityTooLarge", "Request entity too large: limit is " + limit);
  }

  /** Upstream answers a panic with 500; we never put the exception on the wire. */
  static Status internalError() {
    return Status.of(500, "InternalError",
        "Internal error occurred: the server failed to handle the request; see the server log");
  }
}
