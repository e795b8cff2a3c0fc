package dev.hostplane.apiserver.proxy.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.filter.RequestInfo;
import dev.hostplane.apiserver.proxy.KubeletClient;
import dev.hostplane.apiserver.proxy.KubeletClient.Endpoint;
import dev.hostplane.apiserver.proxy.ProxyHandler;
import dev.hostplane.apiserver.server.HttpExchange;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringEncoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * exec, attach and port-forward: validates the request, upgrades a connection to the pod's kubelet (SPDY/3.1), and
 * then answers the client in the protocol it asked for: SPDY clients get the kubelet's 101 and the bytes are
 * spliced both ways; WebSocket clients of exec and attach get an {@link ExecBridge}; WebSocket clients of
 * port-forward ({@code SPDY/3.1+portforward.k8s.io}) get their binary messages relayed as the SPDY session's bytes.
 */
public final class Streams {
  public static final List<String> REMOTE_COMMAND_WEBSOCKET = List.of("v5.channel.k8s.io", "v4.channel.k8s.io");
  public static final String KUBELET_REMOTE_COMMAND = "v4.channel.k8s.io";
  public static final String PORT_FORWARD = "portforward.k8s.io";
  public static final String PORT_FORWARD_WEBSOCKET = "SPDY/3.1+portforward.k8s.io";

  private Streams() {}

  private static ApiException upgradeRequired() {
    return ApiException.badRequest("Upgrade request required");
  }

  private static boolean spdyRequested(HttpExchange exchange) {
    String upgrade = exchange.header("Upgrade");
    return upgrade != null && upgrade.toLowerCase(Locale.ROOT).startsWith("spdy/3.1");
  }

  /** {@code pods/exec} and {@code pods/attach}. */
  public static void remoteCommand(ProxyHandler handler, HttpExchange exchange, RequestInfo info,
      ProxyHandler.Params p) {
    boolean exec = info.subresource().equals("exec");
    ExecBridge.Options options = new ExecBridge.Options(p.bool("stdin"), p.bool("stdout"), p.bool("stderr"),
        p.bool("tty"));
    List<String> command = p.all("command");
    if (exec && command.isEmpty()) {
      throw ApiException.badRequest("you must specify at least one command for the container");
    }
    if (!options.stdin() && !options.stdout() && !options.stderr()) {
      throw ApiException.badRequest("you must specify at least 1 of stdin, stdout, stderr");
    }
    String wsProtocol = null;
    if (WebSockets.requested(exchange)) {
      for (String offered : WebSockets.offered(exchange)) {
        if (REMOTE_COMMAND_WEBSOCKET.contains(offered)) {
          wsProtocol = offered;
          break;
        }
      }
      if (wsProtocol == null) {
        throw ApiException.badRequest("websocket: none of the offered subprotocols "
            + WebSockets.offered(exchange) + " is supported, expected one of " + REMOTE_COMMAND_WEBSOCKET);
      }
    } else if (!spdyRequested(exchange)) {
      throw upgradeRequired();
    }
    if (!exchange.canUpgrade()) {
      throw upgradeRequired();
    }
    Map<String, String> wsHeaders = null;
    if (wsProtocol != null) {
      wsHeaders = WebSockets.accept(exchange, wsProtocol);
      if (wsHeaders == null) {
        throw ApiException.badRequest("websocket: invalid handshake (Sec-WebSocket-Key and "
            + "Sec-WebSocket-Version: 13 are required)");
      }
    }
    ObjectNode pod = handler.pod(info);
    String container = ProxyHandler.container(pod, p.get("container"));
    Endpoint kubelet = handler.kubeletOf(pod);
    QueryStringEncoder q = new QueryStringEncoder("/" + (exec ? "exec" : "attach") + "/" + info.namespace() + "/"
        + info.name() + "/" + container);
    if (exec) {
      command.forEach(c -> q.addParam("command", c));
    }
    if (options.stdin()) {
      q.addParam("input", "1");
    }
    if (options.stdout()) {
      q.addParam("output", "1");
    }
    if (options.stderr()) {
      q.addParam("error", "1");
    }
    if (options.tty()) {
      q.addParam("tty", "1");
    }
    if (wsProtocol == null) {
      spdyPassthrough(handler, exchange, kubelet, q.toString(), exchange.headers("X-Stream-Protocol-Version"));
      return;
    }
    Map<String, String> accepted = wsHeaders;
    FullHttpRequest request = spdyUpgrade(kubelet, HttpMethod.POST, q.toString(), List.of(KUBELET_REMOTE_COMMAND));
    upgradeKubelet(handler, kubelet, request).whenComplete((switched, err) -> {
      if (err != null) {
        ProxyHandler.fail(exchange, err);
        return;
      }
      ExecBridge bridge = new ExecBridge(options, switched.connection().channel());
      exchange.upgrade(accepted, new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel ch) {
          WebSockets.addCodecs(ch.pipeline());
          ch.pipeline().addLast("exec-bridge", bridge.clientSide());
        }
      }).whenComplete((client, e) -> {
        if (e != null) {
          switched.connection().close();
        } else {
          bridge.start(client, switched.connection());
        }
      });
    });
  }

  /** {@code pods/portforward}. */
  public static void portForward(ProxyHandler handler, HttpExchange exchange, RequestInfo info) {
    boolean websocket = WebSockets.requested(exchange);
    if (websocket && !WebSockets.offered(exchange).contains(PORT_FORWARD_WEBSOCKET)) {
      throw ApiException.badRequest("websocket: none of the offered subprotocols " + WebSockets.offered(exchange)
          + " is supported, expected " + PORT_FORWARD_WEBSOCKET);
    }
    if ((!websocket && !spdyRequested(exchange)) || !exchange.canUpgrade()) {
      throw upgradeRequired();
    }
    Map<String, String> wsHeaders = websocket ? WebSockets.accept(exchange, PORT_FORWARD_WEBSOCKET) : null;
    if (websocket && wsHeaders == null) {
      throw ApiException.badRequest("websocket: invalid handshake (Sec-WebSocket-Key and "
          + "Sec-WebSocket-Version: 13 are required)");
    }
    ObjectNode pod = handler.pod(info);
    Endpoint kubelet = handler.kubeletOf(pod);
    String target = "/portForward/" + info.namespace() + "/" + info.name();
    if (!websocket) {
      spdyPassthrough(handler, exchange, kubelet, target, List.of(PORT_FORWARD));
      return;
    }
    FullHttpRequest request = spdyUpgrade(kubelet, HttpMethod.POST, target, List.of(PORT_FORWARD));
    upgradeKubelet(handler, kubelet, request).whenComplete((switched, err) -> {
      if (err != null) {
        ProxyHandler.fail(exchange, err);
        return;
      }
      Channel kubeletChannel = switched.connection().channel();
      exchange.upgrade(wsHeaders, new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel ch) {
          WebSockets.addCodecs(ch.pipeline());
          ch.pipeline().addLast("ws-tunnel", new WebSocketTunnel(kubeletChannel, new SpdyPinger(kubeletChannel,
              true)));
        }
      }).whenComplete((client, e) -> {
        if (e != null) {
          switched.connection().close();
          return;
        }
        switched.connection().release(new Relay(client, m -> new BinaryWebSocketFrame((ByteBuf) m)));
        var pings = client.eventLoop().scheduleAtFixedRate(() -> client.writeAndFlush(new PingWebSocketFrame()),
            WebSockets.PING_SECONDS, WebSockets.PING_SECONDS, TimeUnit.SECONDS);
        client.closeFuture().addListener(f -> {
          pings.cancel(false);
          kubeletChannel.close();
        });
      });
    });
  }

  /** The client's SPDY request, upgraded to the kubelet as it is; once both have switched, bytes are spliced. */
  private static void spdyPassthrough(ProxyHandler handler, HttpExchange exchange, Endpoint kubelet, String target,
      List<String> protocols) {
    HttpMethod method = HttpMethod.valueOf(exchange.method());
    FullHttpRequest request = spdyUpgrade(kubelet, method, target, protocols);
    upgradeKubelet(handler, kubelet, request).whenComplete((switched, err) -> {
      if (err != null) {
        ProxyHandler.fail(exchange, err);
        return;
      }
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Connection", "Upgrade");
      headers.put("Upgrade", "SPDY/3.1");
      String chosen = switched.headers().get("X-Stream-Protocol-Version");
      if (chosen != null) {
        headers.put("X-Stream-Protocol-Version", chosen);
      }
      Channel kubeletChannel = switched.connection().channel();
      // Both legs are kept alive with SPDY PINGs slipped between frames when a direction is idle.
      exchange.upgrade(headers, new Relay(kubeletChannel).withSpdyPings(new SpdyPinger(kubeletChannel, true)))
          .whenComplete((client, e) -> {
        if (e != null) {
          switched.connection().close();
          return;
        }
        switched.connection().release(new Relay(client).withSpdyPings(new SpdyPinger(client, false)));
        client.closeFuture().addListener(f -> kubeletChannel.close());
      });
    });
  }

  /**
   * An Upgrade request through a proxy subresource (a WebSocket application behind {@code pods/proxy}, an exec
   * through {@code nodes/proxy}): sent to the backend as it is; on its 101 the client gets the backend's 101
   * headers and bytes are spliced both ways; any other answer is the error.
   */
  public static void upgradeThrough(CompletableFuture<Channel> connected, FullHttpRequest request,
      HttpExchange exchange) {
    connected.whenComplete((ch, e) -> {
      if (e != null) {
        request.release();
      }
    }).thenCompose(ch -> UpgradeRequest.send(ch, request).whenComplete((s, e) -> {
      if (e != null) {
        ch.close();
      }
    })).whenComplete((switched, err) -> {
      if (err != null) {
        ProxyHandler.fail(exchange, err);
        return;
      }
      Map<String, String> headers = new LinkedHashMap<>();
      switched.headers().forEach(h -> {
        if (!h.getKey().equalsIgnoreCase("Content-Length")) {
          headers.merge(h.getKey(), h.getValue(), (a, b) -> a + ", " + b);
        }
      });
      Channel backend = switched.connection().channel();
      exchange.upgrade(headers, new Relay(backend)).whenComplete((client, e) -> {
        if (e != null) {
          switched.connection().close();
          return;
        }
        switched.connection().release(new Relay(client));
        client.closeFuture().addListener(f -> backend.close());
      });
    });
  }

  private static FullHttpRequest spdyUpgrade(Endpoint kubelet, HttpMethod method, String target,
      List<String> protocols) {
    FullHttpRequest r = ProxyHandler.request(method, kubelet, target, null);
    r.headers().set("Connection", "Upgrade");
    r.headers().set("Upgrade", "SPDY/3.1");
    for (String p : protocols) {
      r.headers().add("X-Stream-Protocol-Version", p);
    }
    r.headers().set("Content-Length", "0");
    return r;
  }

  private static CompletableFuture<UpgradeRequest.Switched> upgradeKubelet(ProxyHandler handler, Endpoint kubelet,
      FullHttpRequest request) {
    return handler.kubelets().connect(kubelet, KubeletClient.Security.KUBELET, null)
        .whenComplete((ch, e) -> {
          if (e != null) {
            request.release();
          }
        })
        .thenCompose(ch -> UpgradeRequest.send(ch, request).whenComplete((s, e) -> {
          if (e != null) {
            ch.close();
          }
        }));
  }

  /** Client side of a tunnelled port-forward: binary message payloads are the SPDY session's bytes. */
  static final class WebSocketTunnel extends ChannelInboundHandlerAdapter {
    private final Channel kubelet;
    private final SpdyPinger pinger;

    WebSocketTunnel(Channel kubelet, SpdyPinger pinger) {
      this.kubelet = kubelet;
      this.pinger = pinger;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      pinger.start(ctx.executor(), WebSockets.PING_SECONDS); // the kubelet leg; the client leg gets WebSocket pings
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof BinaryWebSocketFrame f) {
          if (f.content().isReadable()) {
            pinger.observe(f.content());
            kubelet.writeAndFlush(f.content().retain()).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            if (!kubelet.isWritable()) {
              ctx.channel().config().setAutoRead(false); // resumed by the kubelet's Relay when it drains
            }
          }
        } else if (msg instanceof PingWebSocketFrame ping) {
          ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
        } else if (msg instanceof CloseWebSocketFrame) {
          ctx.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        kubelet.config().setAutoRead(true);
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      kubelet.close();
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
