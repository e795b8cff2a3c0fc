package dev.hostplane.ops.node.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Routes one kubelet API request: {@code /healthz}, {@code /containerLogs}, {@code /run}, and the SPDY upgrades of
 * {@code /exec}, {@code /attach} and {@code /portForward}. Runs on the event loop; logs and run hop to a thread of
 * their own (they read files and wait for processes).
 */
final class KubeletHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  static final List<String> CHANNEL_PROTOCOLS =
      List.of("v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io");
  static final String PORT_FORWARD_PROTOCOL = "portforward.k8s.io";

  private final String host;
  private final KubeletServer.Pods pods;
  private final java.time.Duration spdyPing;
  /** Whether the connection stays open after the current response ({@code Connection: close} ends it). */
  private volatile boolean keepAlive = true;

  KubeletHandler(String host, KubeletServer.Pods pods, java.time.Duration spdyPing) {
    this.host = host;
    this.pods = pods;
    this.spdyPing = spdyPing;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    keepAlive = HttpUtil.isKeepAlive(req);
    QueryStringDecoder q = new QueryStringDecoder(req.uri());
    List<String> parts = Arrays.stream(q.path().split("/")).filter(s -> !s.isEmpty()).toList();
    String root = parts.isEmpty() ? "" : parts.get(0);
    Map<String, List<String>> params = q.parameters();
    switch (root) {
      case "healthz" -> respond(ctx, HttpResponseStatus.OK, "text/plain; charset=utf-8",
          "ok".getBytes(StandardCharsets.UTF_8));
      case "containerLogs" -> {
        if (!req.method().equals(HttpMethod.GET) || parts.size() != 4) {
          notFound(ctx);
          return;
        }
        PodRuntime.Container c = container(ctx, parts.get(1), parts.get(2), parts.get(3));
        if (c != null) {
          logs(ctx, parts.get(2), c, params);
        }
      }
      case "run" -> {
        if (!req.method().equals(HttpMethod.POST) || parts.size() != 4) {
          notFound(ctx);
          return;
        }
        PodRuntime pod = pods.find(parts.get(1), parts.get(2));
        PodRuntime.Container c = container(ctx, parts.get(1), parts.get(2), parts.get(3));
        if (c != null) {
          run(ctx, pod, c, first(params, "cmd"));
        }
      }
      case "exec", "attach" -> {
        if (parts.size() != 4) {
          notFound(ctx);
          return;
        }
        PodRuntime pod = pods.find(parts.get(1), parts.get(2));
        PodRuntime.Container c = container(ctx, parts.get(1), parts.get(2), parts.get(3));
        if (c == null) {
          return;
        }
        boolean exec = root.equals("exec");
        ContainerInstance running = c.current();
        if (running == null || running.finished()) {
          text(ctx, HttpResponseStatus.NOT_FOUND, "container not found (\"" + c.name() + "\")");
          return;
        }
        List<String> command = params.getOrDefault("command", List.of());
        if (exec && command.isEmpty()) {
          text(ctx, HttpResponseStatus.BAD_REQUEST, "you must specify at least 1 command");
          return;
        }
        boolean stdin = flag(params, "input");
        boolean stdout = flag(params, "output");
        boolean stderr = flag(params, "error");
        boolean tty = flag(params, "tty");
        if (!stdin && !stdout && !stderr) {
          text(ctx, HttpResponseStatus.BAD_REQUEST, "you must specify at least 1 of stdin, stdout, stderr");
          return;
        }
        String protocol = negotiate(ctx, req, CHANNEL_PROTOCOLS);
        if (protocol != null) {
          upgrade(ctx, req, protocol, new StreamingSession(
              new StreamingSession.Request(exec, command, stdin, stdout, stderr, tty, protocol), pod, c));
        }
      }
      case "portForward" -> {
        if (parts.size() != 3) {
          notFound(ctx);
          return;
        }
        PodRuntime pod = pods.find(parts.get(1), parts.get(2));
        if (pod == null) {
          text(ctx, HttpResponseStatus.NOT_FOUND, "pod \"" + parts.get(2) + "\" not found");
          return;
        }
        String protocol = negotiate(ctx, req, List.of(PORT_FORWARD_PROTOCOL));
        if (protocol != null) {
          upgrade(ctx, req, protocol, new PortForwardSession(host, pod));
        }
      }
      default -> notFound(ctx);
    }
  }

  private PodRuntime.Container container(ChannelHandlerContext ctx, String ns, String name, String container) {
    PodRuntime pod = pods.find(ns, name);
    if (pod == null) {
      text(ctx, HttpResponseStatus.NOT_FOUND, "pod \"" + name + "\" not found in namespace \"" + ns + "\"");
      return null;
    }
    PodRuntime.Container c = pod.container(container);
    if (c == null) {
      text(ctx, HttpResponseStatus.NOT_FOUND, "container \"" + container + "\" not found in pod \"" + name + "\"");
    }
    return c;
  }

  private static boolean flag(Map<String, List<String>> params, String name) {
    String v = first(params, name);
    return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
  }

  private static String first(Map<String, List<String>> params, String name) {
    List<String> v = params.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** The first protocol the client offers that the server speaks; answers 403 when there is none. */
  private String negotiate(ChannelHandlerContext ctx, FullHttpRequest req, List<String> supported) {
    String upgrade = req.headers().get(HttpHeaderNames.UPGRADE, "");
    if (!upgrade.equalsIgnoreCase("SPDY/3.1")) {
      text(ctx, HttpResponseStatus.BAD_REQUEST, "unable to upgrade: missing upgrade headers in request: "
          + "Connection: Upgrade, Upgrade: SPDY/3.1 expected");
      return null;
    }
    List<String> offered = new ArrayList<>();
    for (String h : req.headers().getAll("X-Stream-Protocol-Version")) {
      for (String p : h.split(",")) {
        if (!p.isBlank()) {
          offered.add(p.trim());
        }
      }
    }
    if (offered.isEmpty()) {
      return supported.get(supported.size() - 1);
    }
    for (String p : offered) {
      if (supported.contains(p)) {
        return p;
      }
    }
    text(ctx, HttpResponseStatus.FORBIDDEN, "unable to upgrade: unable to negotiate protocol: client supports "
        + offered + ", server supports " + supported);
    return null;
  }

  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req, String protocol,
      SpdyConnection.Handler session) {
    HttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
    res.headers().set(HttpHeaderNames.CONNECTION, "Upgrade").set(HttpHeaderNames.UPGRADE, "SPDY/3.1")
        .set("X-Stream-Protocol-Version", protocol);
    // Encoded at once (we are on the loop), so the codec swap below comes after the 101 on the wire.
    ctx.writeAndFlush(res);
    var p = ctx.pipeline();
    p.remove("aggregate");
    p.replace("http", "spdy", new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
    p.addAfter("spdy", "idle", new IdleStateHandler(0, 0, spdyPing.toMillis(), TimeUnit.MILLISECONDS));
    p.replace(this, "session", new SpdyConnection(session));
  }

  private void logs(ChannelHandlerContext ctx, String podName, PodRuntime.Container c,
      Map<String, List<String>> params) {
    LogRequest request;
    try {
      Instant since = null;
      if (first(params, "sinceTime") != null) {
        since = Instant.parse(first(params, "sinceTime"));
      } else if (first(params, "sinceSeconds") != null) {
        since = Instant.now().minusSeconds(Long.parseLong(first(params, "sinceSeconds")));
      }
      String tail = first(params, "tailLines");
      String limit = first(params, "limitBytes");
      request = new LogRequest(tail == null ? -1 : Integer.parseInt(tail), since, flag(params, "timestamps"),
          limit == null ? -1 : Long.parseLong(limit), flag(params, "follow"));
    } catch (NumberFormatException | DateTimeParseException e) {
      text(ctx, HttpResponseStatus.BAD_REQUEST, "invalid log options: " + e.getMessage());
      return;
    }
    ContainerInstance instance = flag(params, "previous") ? c.previous() : c.current();
    if (instance == null) {
      text(ctx, HttpResponseStatus.BAD_REQUEST, flag(params, "previous")
          ? "previous terminated container \"" + c.name() + "\" in pod \"" + podName + "\" not found"
          : "container \"" + c.name() + "\" in pod \"" + podName + "\" is waiting to start: " + c.waitingReason());
      return;
    }
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
    HttpUtil.setTransferEncodingChunked(head, true);
    HttpUtil.setKeepAlive(head, keepAlive);
    ctx.writeAndFlush(head);
    // Hop: reading and following the file blocks; the request's own thread does it.
    Thread t = new Thread(() -> {
      try {
        request.stream(instance.logPath(), instance::finished, bytes -> write(ctx, bytes));
      } catch (IOException e) {
        // The log file is gone (pod deleted): end the response.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(keepAlive
          ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }, "logs-" + podName + "-" + c.name());
    t.setDaemon(true);
    t.start();
  }

  /** Writes a chunk from a non-loop thread, waiting while the client is slow; false once the client is gone. */
  private static boolean write(ChannelHandlerContext ctx, byte[] bytes) {
    if (!ctx.channel().isActive()) {
      return false;
    }
    if (bytes.length == 0) {
      return true;
    }
    ChannelFuture f = ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)));
    if (!ctx.channel().isWritable()) {
      f.awaitUninterruptibly();
    }
    return ctx.channel().isActive();
  }

  private void run(ChannelHandlerContext ctx, PodRuntime pod, PodRuntime.Container c, String cmd) {
    if (cmd == null || cmd.isBlank()) {
      text(ctx, HttpResponseStatus.BAD_REQUEST, "you must specify a command (cmd)");
      return;
    }
    // Hop: the command runs to completion on a thread of its own.
    Thread t = new Thread(() -> {
      List<String> command = Arrays.stream(cmd.trim().split("\\s+")).toList();
      ProcessBuilder pb = new ProcessBuilder(ProcessGroups.ownGroup(command)).redirectErrorStream(true);
      pb.environment().clear();
      pb.environment().putAll(pod.environment(c));
      Path dir = pod.workDir();
      if (Files.isDirectory(dir)) {
        pb.directory(dir.toFile());
      }
      try {
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        p.waitFor();
        ctx.executor().execute(() -> respond(ctx, HttpResponseStatus.OK, "text/plain", out));
      } catch (IOException e) {
        ctx.executor().execute(() -> text(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR,
            "failed to run in container \"" + c.name() + "\": " + e.getMessage()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "run-" + pod.name());
    t.setDaemon(true);
    t.start();
  }

  private void notFound(ChannelHandlerContext ctx) {
    text(ctx, HttpResponseStatus.NOT_FOUND, "404 page not found");
  }

  private void text(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
    respond(ctx, status, "text/plain; charset=utf-8", (body + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String type, byte[] body) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    HttpUtil.setContentLength(res, body.length);
    HttpUtil.setKeepAlive(res, keepAlive);
    ChannelFuture f = ctx.writeAndFlush(res);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
