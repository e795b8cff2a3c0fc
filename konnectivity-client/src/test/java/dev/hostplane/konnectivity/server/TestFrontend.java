package dev.hostplane.konnectivity.server;

import dev.hostplane.konnectivity.wire.KonnectivityMethods;
import dev.hostplane.konnectivity.wire.Packet;
import dev.hostplane.konnectivity.wire.PacketType;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** A minimal frontend (what the apiserver's dialer does) on {@code ProxyService/Proxy}: one stream per dial. */
final class TestFrontend implements AutoCloseable {
  private final ManagedChannel channel;
  private final EventLoopGroup group;

  private TestFrontend(ManagedChannel channel, EventLoopGroup group) {
    this.channel = channel;
    this.group = group;
  }

  static TestFrontend uds(Path socket) {
    EventLoopGroup g = new EpollEventLoopGroup(1);
    return new TestFrontend(NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toFile()))
        .channelType(EpollDomainSocketChannel.class).eventLoopGroup(g).usePlaintext().build(), g);
  }

  static TestFrontend tls(int port, TestPki pki) throws Exception {
    return new TestFrontend(NettyChannelBuilder.forAddress("localhost", port)
        .sslContext(GrpcSslContexts.forClient().trustManager(pki.caCert().toFile())
            .keyManager(pki.clientCert().toFile(), pki.clientKey().toFile()).build())
        .build(), null);
  }

  Stream open() {
    return open(false);
  }

  /** A stream that takes packets only as {@link Stream#request} allows (a slow reader). */
  Stream openManual() {
    return open(true);
  }

  private Stream open(boolean manual) {
    Stream s = new Stream(manual);
    ClientCalls.asyncBidiStreamingCall(channel.newCall(KonnectivityMethods.PROXY, io.grpc.CallOptions.DEFAULT), s);
    return s;
  }

  /** Opens a stream and dials; the stream is connected if {@link Stream#connectId} is set. */
  Stream dial(String address) throws InterruptedException {
    Stream s = open();
    s.dialResponse = s.dialOnly(address);
    return s;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  static final class Stream implements ClientResponseObserver<Packet, Packet> {
    final LinkedBlockingQueue<Packet> received = new LinkedBlockingQueue<>();
    private ClientCallStreamObserver<Packet> out;
    volatile Throwable error;
    volatile boolean completed;
    Packet.DialResponse dialResponse;
    private final boolean manual;

    Stream(boolean manual) {
      this.manual = manual;
    }

    void request(int n) {
      out.request(n);
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Packet> requestStream) {
      out = requestStream;
      if (manual) {
        requestStream.disableAutoRequestWithInitial(0);
      }
      requestStream.setOnReadyHandler(() -> {
        synchronized (this) {
          notifyAll();
        }
      });
    }

    @Override
    public void onNext(Packet p) {
      received.add(p);
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onCompleted() {
      completed = true;
    }

    long connectId() {
      return dialResponse.connectId();
    }

    boolean connected() {
      return dialResponse != null && dialResponse.error().isEmpty();
    }

    long random() {
      return ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    }

    Packet.DialResponse dialOnly(String address) throws InterruptedException {
      long random = random();
      send(Packet.dialRequest(address, random));
      Packet p = next(PacketType.DIAL_RSP, Duration.ofSeconds(20));
      if (p == null) {
        throw new AssertionError("no DIAL_RSP within 20 s");
      }
      Packet.DialResponse rsp = (Packet.DialResponse) p.payload();
      if (rsp.random() != random) {
        throw new AssertionError("DIAL_RSP for random " + rsp.random() + ", expected " + random);
      }
      return rsp;
    }

    /** Sends, waiting (bounded) while the stream is not ready. */
    void send(Packet p) throws InterruptedException {
      synchronized (this) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!out.isReady() && error == null && System.nanoTime() < deadline) {
          wait(10);
        }
        out.onNext(p);
      }
    }

    /** The next packet of {@code type} (others are dropped), or null after {@code timeout}. */
    Packet next(PacketType type, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        long left = deadline - System.nanoTime();
        Packet p = received.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
        if (p == null || p.type() == type) {
          return p;
        }
      }
    }

    /** Reads DATA until {@code n} bytes arrived; fails on CLOSE_RSP or timeout. */
    byte[] read(int n, Duration timeout) throws InterruptedException {
      java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (b.size() < n) {
        Packet p = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (p == null) {
          throw new AssertionError("read " + b.size() + " of " + n + " bytes before the timeout");
        }
        if (p.type() == PacketType.DATA) {
          b.writeBytes(((Packet.Data) p.payload()).data());
        } else if (p.type() == PacketType.CLOSE_RSP) {
          throw new AssertionError("connection closed after " + b.size() + " of " + n + " bytes: " + p);
        }
      }
      return b.toByteArray();
    }

    void closeStream() {
      synchronized (this) {
        try {
          out.onCompleted();
        } catch (IllegalStateException ignored) {
          // Already closed.
        }
      }
    }

    void cancel() {
      synchronized (this) {
        out.cancel("test cancels", null);
      }
    }
  }
}
