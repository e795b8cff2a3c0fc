package dev.hostplane.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.pki.CertificateAuthority;
import dev.hostplane.apiserver.pki.CertifiedKey;
import dev.hostplane.konnectivity.server.ProxyServer;
import dev.hostplane.konnectivity.server.ProxyServerOptions;
import dev.hostplane.konnectivity.wire.KonnectivityMethods;
import dev.hostplane.konnectivity.wire.Packet;
import dev.hostplane.konnectivity.wire.PacketType;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hostplane konnectivity-agent} in a child JVM: SIGTERM makes it send DRAIN, keep its open connection
 * working, and exit once that connection is closed.
 */
@Timeout(90)
class KonnectivityAgentSigtermTest {
  @TempDir
  Path dir;

  @Test
  void sigtermDrainsThenExitsWhenTheLastConnectionEnds() throws Exception {
    CertificateAuthority ca = CertificateAuthority.generate("konnectivity-ca", Duration.ofDays(1));
    ca.write(dir.resolve("ca.crt"), dir.resolve("ca.key"));
    CertifiedKey serving = ca.issueServing("konnectivity-server", List.of("localhost"),
        List.of(InetAddress.getLoopbackAddress()), Duration.ofDays(1));
    serving.write(dir.resolve("server.crt"), dir.resolve("server.key"));
    CertifiedKey client = ca.issueClient("system:konnectivity-agent", List.of(), Duration.ofDays(1));
    client.write(dir.resolve("agent.crt"), dir.resolve("agent.key"));
    Path socket = dir.resolve("k.sock");
    EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    Process agent = null;
    try (ServerSocket echo = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        ProxyServer server = ProxyServer.start(ProxyServerOptions.of(socket, -1, null, null, null, 0,
            dir.resolve("server.crt"), dir.resolve("server.key"), dir.resolve("ca.crt")))) {
      Thread echoThread = new Thread(() -> echoOnce(echo), "echo");
      echoThread.setDaemon(true);
      echoThread.start();
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      agent = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
          "konnectivity-agent", "--proxy-server-host=localhost", "--proxy-server-port=" + server.agentPort(),
          "--ca-cert=" + dir.resolve("ca.crt"), "--agent-cert=" + dir.resolve("agent.crt"),
          "--agent-key=" + dir.resolve("agent.key"), "--agent-id=child", "--drain-timeout=30s",
          "--health-server-port=-1", "--admin-server-port=-1")
          .redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile()).start();
      await("the agent connected", () -> server.agentIds().contains("child"));

      ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toFile()))
          .channelType(EpollDomainSocketChannel.class).eventLoopGroup(group).usePlaintext().build();
      LinkedBlockingQueue<Packet> in = new LinkedBlockingQueue<>();
      StreamObserver<Packet> out = ClientCalls.asyncBidiStreamingCall(
          channel.newCall(KonnectivityMethods.PROXY, CallOptions.DEFAULT), new StreamObserver<>() {
            @Override
            public void onNext(Packet p) {
              in.add(p);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
          });
      out.onNext(Packet.dialRequest("127.0.0.1:" + echo.getLocalPort(), 1));
      Packet.DialResponse dial = (Packet.DialResponse) next(in, PacketType.DIAL_RSP).payload();
      assertEquals("", dial.error());
      long id = dial.connectId();

      agent.destroy(); // SIGTERM
      await("the server saw DRAIN", () -> server.drainingAgentIds().contains("child"));
      assertFalse(agent.waitFor(1, TimeUnit.SECONDS), "the agent waits for its open connection");
      byte[] hi = "still here".getBytes(StandardCharsets.UTF_8);
      out.onNext(Packet.data(id, hi));
      assertArrayEquals(hi, ((Packet.Data) next(in, PacketType.DATA).payload()).data());
      out.onNext(Packet.closeRequest(id));
      assertNotNull(next(in, PacketType.CLOSE_RSP));
      out.onCompleted();
      assertTrue(agent.waitFor(10, TimeUnit.SECONDS), "the agent exits once its connections are done");
      channel.shutdownNow();
    } finally {
      if (agent != null && agent.isAlive()) {
        agent.destroyForcibly();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  private static void echoOnce(ServerSocket listener) {
    try (Socket s = listener.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
      byte[] buf = new byte[4096];
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (java.io.IOException e) {
      // Closed.
    }
  }

  private static Packet next(LinkedBlockingQueue<Packet> in, PacketType type) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      Packet p = in.poll(100, TimeUnit.MILLISECONDS);
      if (p != null && p.type() == type) {
        return p;
      }
    }
    throw new AssertionError("no " + type + " within 10 s");
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(50);
    }
  }
}
