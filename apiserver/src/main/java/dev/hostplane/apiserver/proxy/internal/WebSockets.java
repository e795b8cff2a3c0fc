package dev.hostplane.apiserver.proxy.internal;

import dev.hostplane.apiserver.server.HttpExchange;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The server side of a WebSocket handshake (RFC 6455) over an upgraded HTTP/1.1 exchange, and its frame codecs. */
public final class WebSockets {
  /** The largest message accepted from a client. */
  static final int MAX_MESSAGE = 16 * 1024 * 1024 - 16;
  /** How often the server pings a client (and, for exec, the kubelet): below a 60 s idle reset. */
  public static final long PING_SECONDS = 20;
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private WebSockets() {}

  /** Whether the request asks for a WebSocket. */
  public static boolean requested(HttpExchange exchange) {
    String upgrade = exchange.header("Upgrade");
    return upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket");
  }

  /** The subprotocols the client offers, in its order. */
  public static List<String> offered(HttpExchange exchange) {
    List<String> out = new ArrayList<>();
    for (String h : exchange.headers("Sec-WebSocket-Protocol")) {
      for (String p : h.split(",")) {
        if (!p.isBlank()) {
          out.add(p.trim());
        }
      }
    }
    return out;
  }

  /**
   * The 101 headers accepting the handshake with {@code protocol}; null when the request is not a valid
   * version-13 handshake.
   */
  public static Map<String, String> accept(HttpExchange exchange, String protocol) {
    String key = exchange.header("Sec-WebSocket-Key");
    if (key == null || key.isBlank() || !"13".equals(exchange.header("Sec-WebSocket-Version"))) {
      return null;
    }
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Upgrade", "websocket");
    h.put("Connection", "Upgrade");
    h.put("Sec-WebSocket-Accept", acceptKey(key.trim()));
    h.put("Sec-WebSocket-Protocol", protocol);
    return h;
  }

  static String acceptKey(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Adds the server-side frame codecs (masked frames in, unmasked out, fragments joined) to {@code p}. */
  public static void addCodecs(ChannelPipeline p) {
    p.addLast("ws-decoder", new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
        .expectMaskedFrames(true).allowExtensions(false).maxFramePayloadLength(MAX_MESSAGE).build()));
    p.addLast("ws-encoder", new WebSocket13FrameEncoder(false));
    p.addLast("ws-aggregator", new WebSocketFrameAggregator(MAX_MESSAGE));
  }
}
