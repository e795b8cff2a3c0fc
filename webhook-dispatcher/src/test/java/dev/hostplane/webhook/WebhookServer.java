package dev.hostplane.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.pki.CertificateAuthority;
import dev.hostplane.apiserver.pki.CertifiedKey;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real HTTPS admission webhook for tests: Netty, TLS with a certificate from its own CA (whose PEM goes into
 * {@code caBundle}), HTTP/1.1 keep-alive. Counts open and accepted connections and keeps what it received. What
 * it answers is the test's {@link Reply}.
 */
final class WebhookServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  /** What to do with one request: answer {@code status} + {@code body}, never answer, or close at once. */
  record Reply(int status, byte[] body, boolean hang, boolean close, Duration delay, boolean closeAfter) {
    Reply(int status, byte[] body, boolean hang, boolean close, Duration delay) {
      this(status, body, hang, close, delay, false);
    }

    static Reply json(JsonNode body) {
      return new Reply(200, body.toString().getBytes(StandardCharsets.UTF_8), false, false, Duration.ZERO);
    }

    static Reply raw(int status, String body) {
      return new Reply(status, body.getBytes(StandardCharsets.UTF_8), false, false, Duration.ZERO);
    }

    static Reply hangs() {
      return new Reply(0, null, true, false, Duration.ZERO);
    }

    static Reply closes() {
      return new Reply(0, null, false, true, Duration.ZERO);
    }

    Reply after(Duration d) {
      return new Reply(status, body, hang, close, d, closeAfter);
    }

    /** Answers, then closes the connection without saying so (as a server dropping idle connections does). */
    Reply thenClose() {
      return new Reply(status, body, hang, close, delay, true);
    }
  }

  /** One received request: its target (path and query) and the AdmissionReview. */
  record Received(String uri, String host, JsonNode review, String authorization, String clientSubject) {}

  private final NioEventLoopGroup group = new NioEventLoopGroup(2);
  private final Channel server;
  private final byte[] caPem;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger accepted = new AtomicInteger();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private volatile Function<JsonNode, Reply> responder;

  private WebhookServer(CertificateAuthority ca, List<String> dnsNames, Function<JsonNode, Reply> responder)
      throws Exception {
    this(ca, dnsNames, responder, null);
  }

  /** With {@code clientCa} non-null, a client certificate signed by it is required. */
  private WebhookServer(CertificateAuthority ca, List<String> dnsNames, Function<JsonNode, Reply> responder,
      CertificateAuthority clientCa) throws Exception {
    this.responder = responder;
    CertifiedKey serving = ca.issueServing("webhook", dnsNames, List.of(InetAddress.getLoopbackAddress()),
        Duration.ofDays(1));
    SslContextBuilder tb = SslContextBuilder.forServer(serving.privateKey(), serving.certificate())
        .sslProvider(SslProvider.JDK);
    if (clientCa != null) {
      tb.trustManager(clientCa.certificate()).clientAuth(io.netty.handler.ssl.ClientAuth.REQUIRE);
    }
    SslContext tls = tb.build();
    this.caPem = pem(ca);
    this.server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            open.incrementAndGet();
            accepted.incrementAndGet();
            ch.closeFuture().addListener(f -> open.decrementAndGet());
            ch.pipeline().addLast(tls.newHandler(ch.alloc()), new HttpServerCodec(),
                new HttpObjectAggregator(8 << 20), new Handler());
          }
        }).bind("127.0.0.1", 0).sync().channel();
  }

  /** A webhook whose certificate names 127.0.0.1 and {@code dnsNames}, signed by {@code ca}. */
  static WebhookServer start(CertificateAuthority ca, List<String> dnsNames, Function<JsonNode, Reply> responder)
      throws Exception {
    return new WebhookServer(ca, dnsNames, responder);
  }

  /** Like {@link #start}, requiring a client certificate signed by {@code clientCa}. */
  static WebhookServer startWithClientAuth(CertificateAuthority ca, List<String> dnsNames,
      Function<JsonNode, Reply> responder, CertificateAuthority clientCa) throws Exception {
    return new WebhookServer(ca, dnsNames, responder, clientCa);
  }

  static byte[] pem(CertificateAuthority ca) throws Exception {
    return ("-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(ca.certificate().getEncoded())
        + "\n-----END CERTIFICATE-----\n").getBytes(StandardCharsets.US_ASCII);
  }

  void respond(Function<JsonNode, Reply> r) {
    this.responder = r;
  }

  int port() {
    return ((java.net.InetSocketAddress) server.localAddress()).getPort();
  }

  String url(String path) {
    return "https://127.0.0.1:" + port() + path;
  }

  String caBundle() {
    return Base64.getEncoder().encodeToString(caPem);
  }

  int openConnections() {
    return open.get();
  }

  int acceptedConnections() {
    return accepted.get();
  }

  List<Received> received() {
    return received;
  }

  /** Requests received for objects named {@code name} (object or oldObject). */
  List<Received> receivedFor(String name) {
    return received.stream().filter(r -> name.equals(objectName(r.review()))).toList();
  }

  private static String objectName(JsonNode review) {
    JsonNode req = review.path("request");
    String n = req.path("name").asText("");
    if (!n.isEmpty()) {
      return n;
    }
    return req.path("object").path("metadata").path("name").asText("");
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
      JsonNode review;
      try {
        review = JSON.readTree(ByteBufUtil.getBytes(req.content()));
      } catch (Exception e) {
        review = JSON.createObjectNode();
      }
      String subject = null;
      var tls = ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class);
      if (tls != null) {
        try {
          var peer = tls.engine().getSession().getPeerCertificates();
          subject = ((java.security.cert.X509Certificate) peer[0]).getSubjectX500Principal().getName();
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
          subject = null; // no client certificate
        }
      }
      received.add(new Received(req.uri(), req.headers().get(HttpHeaderNames.HOST), review,
          req.headers().get(HttpHeaderNames.AUTHORIZATION), subject));
      Reply reply = responder.apply(review);
      if (reply.hang()) {
        return;
      }
      if (reply.close()) {
        ctx.close();
        return;
      }
      Runnable send = () -> {
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(reply.status()), Unpooled.wrappedBuffer(reply.body()));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
            .setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
        var written = ctx.writeAndFlush(resp);
        if (reply.closeAfter()) {
          written.addListener(f -> ctx.executor().schedule(() -> ctx.close(), 50, TimeUnit.MILLISECONDS));
        }
      };
      if (reply.delay().isZero()) {
        send.run();
      } else {
        ctx.executor().schedule(send, reply.delay().toMillis(), TimeUnit.MILLISECONDS);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  // ------------------------------------------------------------------------------------------ answers

  /** {@code {"apiVersion": <request's>, "kind": "AdmissionReview", "response": {"uid": <request's>, ...}}}. */
  static ObjectNode response(JsonNode review, boolean allowed) {
    ObjectNode out = JSON.createObjectNode();
    out.put("apiVersion", review.path("apiVersion").asText("admission.k8s.io/v1"));
    out.put("kind", "AdmissionReview");
    ObjectNode r = out.putObject("response");
    r.put("uid", review.path("request").path("uid").asText());
    r.put("allowed", allowed);
    return out;
  }

  static Reply allow(JsonNode review) {
    return Reply.json(response(review, true));
  }

  static Reply deny(JsonNode review, int code, String message) {
    ObjectNode out = response(review, false);
    ObjectNode status = ((ObjectNode) out.get("response")).putObject("status");
    if (code != 0) {
      status.put("code", code);
    }
    status.put("message", message);
    return Reply.json(out);
  }

  /** Allows with a JSON patch (RFC 6902, as a JSON array text). */
  static Reply patch(JsonNode review, String jsonPatch) {
    ObjectNode out = response(review, true);
    ((ObjectNode) out.get("response")).put("patchType", "JSONPatch")
        .put("patch", Base64.getEncoder().encodeToString(jsonPatch.getBytes(StandardCharsets.UTF_8)));
    return Reply.json(out);
  }
}
