package dev.hostplane.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostplane.apiserver.ApiServer;
import dev.hostplane.apiserver.ApiServerConfig;
import dev.hostplane.apiserver.pki.CertificateAuthority;
import dev.hostplane.apiserver.pki.CertifiedKey;
import dev.hostplane.konnectivity.Dialer;
import dev.hostplane.konnectivity.DialerMetrics;
import dev.hostplane.konnectivity.DialerOptions;
import dev.hostplane.konnectivity.agent.Agent;
import dev.hostplane.konnectivity.agent.AgentOptions;
import dev.hostplane.konnectivity.client.GrpcTunnelDialer;
import dev.hostplane.konnectivity.server.AgentTokenAuth;
import dev.hostplane.konnectivity.server.ProxyServer;
import dev.hostplane.konnectivity.server.ProxyServerOptions;
import dev.hostplane.ops.bench.ClientConfig;
import dev.hostplane.konnectivity.wire.KonnectivityMethods;
import dev.hostplane.konnectivity.wire.Packet;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents that authenticate to the proxy-server with a ServiceAccount token, reviewed by a real in-process
 * apiserver: the right ServiceAccount and audience connect and carry traffic; anything else is refused.
 */
@Timeout(120)
class KonnectivityAgentTokenAuthTest {
  private static final String AUDIENCE = "system:konnectivity-server";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;

  static ApiServer apiserver;
  static HttpClient http;
  static URI base;
  static Path clusterCa;
  static Path clusterCert;
  static Path clusterKey;
  static ServerSocket echo;

  ProxyServer proxy;
  Agent agent;
  Dialer dialer;
  NioEventLoopGroup loops;

  @BeforeAll
  static void start() throws Exception {
    apiserver = ApiServer.start(ApiServerConfig.forTesting(dir.resolve("apiserver")));
    ClientConfig admin = ClientConfig.load(apiserver.kubeconfig());
    SslContextBuilder tls = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
        .trustManager(admin.trustedCas().toArray(X509Certificate[]::new))
        .keyManager(admin.clientKey(), admin.clientChain().toArray(X509Certificate[]::new));
    http = HttpClient.newBuilder().sslContext(((JdkSslContext) tls.build()).context()).build();
    base = admin.server();

    CertificateAuthority ca = CertificateAuthority.generate("konnectivity-ca", Duration.ofDays(1));
    clusterCa = dir.resolve("cluster-ca.crt");
    ca.write(clusterCa, dir.resolve("cluster-ca.key"));
    CertifiedKey serving = ca.issueServing("konnectivity-server", List.of("localhost"),
        List.of(InetAddress.getByName("127.0.0.1")), Duration.ofDays(1));
    clusterCert = dir.resolve("cluster.crt");
    clusterKey = dir.resolve("cluster.key");
    serving.write(clusterCert, clusterKey);

    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(KonnectivityAgentTokenAuthTest::echoLoop, "echo");
    t.setDaemon(true);
    t.start();

    for (String sa : List.of("konnectivity-agent", "someone-else")) {
      assertEquals(201, post("/api/v1/namespaces/kube-system/serviceaccounts",
          "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"" + sa + "\"}}").statusCode());
    }
  }

  private static void echoLoop() {
    while (!echo.isClosed()) {
      try {
        Socket s = echo.accept();
        Thread t = new Thread(() -> {
          try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            in.transferTo(out);
          } catch (Exception e) {
            // Peer gone.
          }
        }, "echo-conn");
        t.setDaemon(true);
        t.start();
      } catch (Exception e) {
        return;
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (echo != null) {
      echo.close();
    }
    if (apiserver != null) {
      apiserver.close();
    }
  }

  @AfterEach
  void closeTunnel() {
    if (dialer != null) {
      dialer.close();
    }
    if (agent != null) {
      agent.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (loops != null) {
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(base.resolve(path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A token from the TokenRequest API for {@code serviceAccount} in kube-system, valid for {@code audience}. */
  private static String token(String serviceAccount, String audience) throws Exception {
    HttpResponse<String> r = post("/api/v1/namespaces/kube-system/serviceaccounts/" + serviceAccount + "/token",
        "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{\"audiences\":[\""
            + audience + "\"]}}");
    assertEquals(201, r.statusCode(), r.body());
    String token = JSON.readTree(r.body()).path("status").path("token").asText("");
    assertTrue(!token.isEmpty(), r.body());
    return token;
  }

  private void startProxy() throws Exception {
    Path uds = dir.resolve("k-" + System.nanoTime() + ".sock");
    proxy = ProxyServer.start(ProxyServerOptions.of(uds, -1, null, null, null, 0, clusterCert, clusterKey, clusterCa)
        .withAgentTokenAuth(new AgentTokenAuth("kube-system", "konnectivity-agent", AUDIENCE,
            apiserver.kubeconfig())));
    dialer = GrpcTunnelDialer.overUnixSocket(uds, DialerOptions.DEFAULT, new DialerMetrics());
    loops = new NioEventLoopGroup(1);
  }

  private Agent startAgent(String token) throws Exception {
    Path file = dir.resolve("token-" + System.nanoTime());
    Files.writeString(file, token + "\n");
    agent = Agent.start(AgentOptions.withToken("127.0.0.1", proxy.agentPort(), clusterCa, file)
        .withSyncInterval(Duration.ofMillis(100), Duration.ofMillis(200)));
    return agent;
  }

  private static boolean await(java.util.function.BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(50);
    }
    return condition.getAsBoolean();
  }

  /** Opens {@code AgentService/Connect} by hand with the given authorization metadata; its closing status. */
  private Status rawConnect(String authorization) throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", proxy.agentPort())
        .sslContext(GrpcSslContexts.forClient().trustManager(clusterCa.toFile()).build())
        .build();
    try {
      CompletableFuture<Status> closed = new CompletableFuture<>();
      ClientCall<Packet, Packet> call = channel.newCall(KonnectivityMethods.CONNECT, CallOptions.DEFAULT);
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of("agentID", Metadata.ASCII_STRING_MARSHALLER), "raw");
      if (authorization != null) {
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
      }
      call.start(new ClientCall.Listener<>() {
        @Override
        public void onClose(Status status, Metadata trailers) {
          closed.complete(status);
        }
      }, headers);
      call.request(1);
      return closed.get(15, TimeUnit.SECONDS);
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void agentWithTheServiceAccountsTokenConnectsAndCarriesTraffic() throws Exception {
    startProxy();
    startAgent(token("konnectivity-agent", AUDIENCE));
    assertTrue(await(() -> proxy.connectedAgents() == 1, Duration.ofSeconds(20)), "agent never registered");
    assertEquals(List.of(agent.options().agentId()), proxy.agentIds());

    CompletableFuture<String> reply = new CompletableFuture<>();
    byte[] payload = "hello through the tunnel".getBytes(StandardCharsets.UTF_8);
    Channel ch = dialer.dial("127.0.0.1", echo.getLocalPort(), loops.next(), new ChannelInboundHandlerAdapter() {
      private final StringBuilder got = new StringBuilder();

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf b = (ByteBuf) msg;
        got.append(b.toString(StandardCharsets.UTF_8));
        b.release();
        if (got.length() >= payload.length) {
          reply.complete(got.toString());
        }
      }
    }).get(10, TimeUnit.SECONDS);
    ch.writeAndFlush(Unpooled.wrappedBuffer(payload)).sync();
    assertEquals("hello through the tunnel", reply.get(10, TimeUnit.SECONDS));
    ch.close().sync();
  }

  @Test
  void tokensOfAnotherServiceAccountAnotherAudienceOrGarbageAreRefused() throws Exception {
    startProxy();
    for (String token : List.of(token("someone-else", AUDIENCE), token("konnectivity-agent", "https://kubernetes"),
        "not-a-token")) {
      startAgent(token);
      // Several connection attempts (100-200 ms apart) are reviewed and refused; none registers.
      Thread.sleep(1500);
      assertEquals(0, proxy.connectedAgents(), "an agent with a bad token registered");
      assertEquals(List.of(), proxy.agentIds());
      agent.close();
      agent = null;
    }
    for (String authorization : new String[] {null, "Bearer not-a-token", "Basic a29ubmVjdGl2aXR5"}) {
      assertEquals(Status.Code.UNAUTHENTICATED, rawConnect(authorization).getCode(), String.valueOf(authorization));
    }
    assertEquals(0, proxy.connectedAgents());
    ExecutionException dial = assertThrows(ExecutionException.class,
        () -> dialer.dial("127.0.0.1", echo.getLocalPort(), loops.next(), new ChannelInboundHandlerAdapter())
            .get(10, TimeUnit.SECONDS));
    assertTrue(String.valueOf(dial.getCause().getMessage()).contains("No agent available"), dial.toString());
  }
}
