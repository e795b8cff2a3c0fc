package dev.hostplane.konnectivity.client;

import dev.hostplane.konnectivity.wire.KonnectivityMethods;
import dev.hostplane.konnectivity.wire.Packet;
import dev.hostplane.konnectivity.wire.PacketType;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.ClientAuth;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test peer that plays proxy-server and agent at once on the wire: it serves {@code ProxyService/Proxy}, answers a
 * {@code DIAL_REQ} by opening a real TCP connection to the requested address, and pumps bytes as {@code DATA} both
 * ways, sending towards the client only while the stream is ready. Records every packet it receives.
 */
final class FakeProxy implements AutoCloseable {
  enum Mode { AGENT, NO_AGENT, SILENT, STRAY_DATA, DIAL_CLOSE }

  final ConcurrentLinkedQueue<Packet> received = new ConcurrentLinkedQueue<>();
  final AtomicLong bytesSentToClient = new AtomicLong();
  volatile Mode mode = Mode.AGENT;
  private final AtomicLong connectIds = new AtomicLong(100);
  private final Server server;
  private final EpollEventLoopGroup group;

  private FakeProxy(Server server, EpollEventLoopGroup group) {
    this.server = server;
    this.group = group;
  }

  static FakeProxy overUnixSocket(Path socket) throws IOException {
    EpollEventLoopGroup group = new EpollEventLoopGroup(2);
    FakeProxy[] self = new FakeProxy[1];
    Server s = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toFile()))
        .channelType(EpollServerDomainSocketChannel.class)
        .bossEventLoopGroup(group).workerEventLoopGroup(group)
        .addService(service(self))
        .build().start();
    self[0] = new FakeProxy(s, group);
    return self[0];
  }

  static FakeProxy overMutualTls(File cert, File key, File clientCa) throws IOException {
    FakeProxy[] self = new FakeProxy[1];
    Server s = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .sslContext(GrpcSslContexts.forServer(cert, key).trustManager(clientCa).clientAuth(ClientAuth.REQUIRE)
            .build())
        .permitKeepAliveTime(1, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .addService(service(self))
        .build().start();
    self[0] = new FakeProxy(s, null);
    return self[0];
  }

  /** The connectID given to the latest successful dial. */
  long lastConnectId() {
    return connectIds.get();
  }

  int port() {
    return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
  }

  List<Packet> received(PacketType type) {
    return received.stream().filter(p -> p.type() == type).toList();
  }

  private static ServerServiceDefinition service(FakeProxy[] self) {
    return ServerServiceDefinition.builder(KonnectivityMethods.PROXY_SERVICE)
        .addMethod(KonnectivityMethods.PROXY, ServerCalls.asyncBidiStreamingCall(
            out -> self[0].new Stream((ServerCallStreamObserver<Packet>) out)))
        .build();
  }

  /** One frontend stream, carrying at most one connection. */
  private final class Stream implements StreamObserver<Packet> {
    private final ServerCallStreamObserver<Packet> out;
    private final Object readyLock = new Object();
    private volatile Socket socket;
    private volatile long connectId;
    /** Bytes for the remote, written by their own thread so that a slow remote does not delay onReady. */
    private final BlockingQueue<byte[]> toRemote = new ArrayBlockingQueue<>(64);

    Stream(ServerCallStreamObserver<Packet> out) {
      this.out = out;
      out.setOnReadyHandler(() -> {
        synchronized (readyLock) {
          readyLock.notifyAll();
        }
      });
    }

    private void send(Packet p) {
      synchronized (out) {
        out.onNext(p);
      }
    }

    @Override
    public void onNext(Packet p) {
      received.add(p);
      switch (p.type()) {
        case DIAL_REQ -> dial((Packet.DialRequest) p.payload());
        case DATA -> {
          try {
            toRemote.put(((Packet.Data) p.payload()).data()); // blocks when full: backpressure to the client
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        case CLOSE_REQ -> {
          closeSocket();
          send(Packet.closeResponse(((Packet.CloseRequest) p.payload()).connectId(), ""));
        }
        default -> { }
      }
    }

    private void dial(Packet.DialRequest req) {
      switch (mode) {
        case SILENT -> { }
        case DIAL_CLOSE -> send(Packet.closeDial(req.random()));
        case NO_AGENT -> send(Packet.dialResponse(req.random(), 0, "No agent available"));
        case AGENT, STRAY_DATA -> {
          String a = req.address();
          int colon = a.lastIndexOf(':');
          try {
            socket = new Socket(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1)));
          } catch (IOException e) {
            send(Packet.dialResponse(req.random(), 0, "dial tcp " + a + ": " + e.getMessage()));
            return;
          }
          connectId = connectIds.incrementAndGet();
          send(Packet.dialResponse(req.random(), connectId, ""));
          if (mode == Mode.STRAY_DATA) {
            send(Packet.data(connectId + 1000, new byte[] {1, 2, 3}));
          }
          Thread t = new Thread(this::pump, "fake-agent-" + connectId);
          t.setDaemon(true);
          t.start();
          Thread w = new Thread(this::writeRemote, "fake-agent-writer-" + connectId);
          w.setDaemon(true);
          w.start();
        }
      }
    }

    /** Remote to client, only while the stream is ready; remote EOF becomes CLOSE_RSP. */
    private void pump() {
      byte[] buf = new byte[32 * 1024];
      try (InputStream in = socket.getInputStream()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          synchronized (readyLock) {
            while (!out.isReady() && !out.isCancelled()) {
              readyLock.wait(10);
            }
          }
          bytesSentToClient.addAndGet(n);
          send(Packet.data(connectId, java.util.Arrays.copyOf(buf, n)));
        }
        send(Packet.closeResponse(connectId, ""));
      } catch (IOException | InterruptedException | IllegalStateException e) {
        // socket closed by CLOSE_REQ or the stream ended
      } catch (RuntimeException e) {
        // stream cancelled
      }
    }

    private void writeRemote() {
      try {
        OutputStream out = socket.getOutputStream();
        while (!socket.isClosed()) {
          byte[] b = toRemote.poll(100, TimeUnit.MILLISECONDS);
          if (b != null) {
            out.write(b);
          }
        }
      } catch (IOException | InterruptedException e) {
        closeSocket();
      }
    }

    private void closeSocket() {
      Socket s = socket;
      if (s != null) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      closeSocket();
    }

    @Override
    public void onCompleted() {
      closeSocket();
      synchronized (out) {
        try {
          out.onCompleted();
        } catch (IllegalStateException alreadyClosed) {
          // cancelled meanwhile
        }
      }
    }
  }

  @Override
  public void close() {
    try {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
