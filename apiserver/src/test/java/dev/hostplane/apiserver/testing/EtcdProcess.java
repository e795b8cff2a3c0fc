package dev.hostplane.apiserver.testing;

import dev.hostplane.apiserver.pki.CertificateAuthority;
import dev.hostplane.apiserver.pki.CertifiedKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real etcd server (the {@code etcd} binary, Debian's etcd-server) for tests: one member on free loopback ports
 * (never etcd's default 2379/2380) with its data in a temporary directory. {@link #stop()} and {@link #start()}
 * restart it on the same ports and data, for outage tests. With {@link #launchTls} it serves TLS only and requires a
 * client certificate signed by its own test CA.
 *
 * <p>A machine without etcd fails the test that needs it, saying how to install it.
 */
public final class EtcdProcess implements AutoCloseable {
  /** How long etcd may take to answer after a start, and to exit after SIGTERM. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  /** Timed watch progress notifications: short, as an operator of this apiserver should set them (see EtcdStorage). */
  public static final Duration PROGRESS_NOTIFY_INTERVAL = Duration.ofMillis(500);

  /** The CA, server and client certificates of a TLS etcd, as PEM files. */
  public record TlsFiles(Path caFile, Path serverCertFile, Path serverKeyFile, Path clientCertFile,
      Path clientKeyFile) {}

  private final Path dir;
  private final Path dataDir;
  private final Path log;
  private final boolean ownsDir;
  private final int clientPort;
  private final int peerPort;
  private final TlsFiles tls;
  private Process process;

  private EtcdProcess(Path dir, boolean ownsDir, TlsFiles tls) throws IOException {
    this.dir = dir;
    this.ownsDir = ownsDir;
    this.dataDir = dir.resolve("data");
    this.log = dir.resolve("etcd.log");
    this.tls = tls;
    int[] ports = freePorts(2);
    this.clientPort = ports[0];
    this.peerPort = ports[1];
  }

  /** Starts a plain-HTTP etcd in a new temporary directory; waits until it answers. */
  public static EtcdProcess launch() throws IOException {
    EtcdProcess etcd = new EtcdProcess(tempDir(), true, null);
    etcd.start();
    return etcd;
  }

  /**
   * Starts an etcd that serves TLS only and requires client certificates, in a new temporary directory; the CA,
   * server and client certificates are generated there (see {@link #tlsFiles()}).
   */
  public static EtcdProcess launchTls() throws IOException {
    Path dir = tempDir();
    CertificateAuthority ca = CertificateAuthority.generate("etcd-test-ca", Duration.ofDays(1));
    CertifiedKey server = ca.issueServing("etcd", List.of("localhost"), List.of(InetAddress.getLoopbackAddress()),
        Duration.ofDays(1));
    CertifiedKey client = ca.issueClient("hostplane-apiserver", List.of(), Duration.ofDays(1));
    TlsFiles files = new TlsFiles(dir.resolve("ca.crt"), dir.resolve("server.crt"), dir.resolve("server.key"),
        dir.resolve("client.crt"), dir.resolve("client.key"));
    ca.write(files.caFile(), dir.resolve("ca.key"));
    server.write(files.serverCertFile(), files.serverKeyFile());
    client.write(files.clientCertFile(), files.clientKeyFile());
    EtcdProcess etcd = new EtcdProcess(dir, true, files);
    etcd.start();
    return etcd;
  }

  /** The client URL, e.g. {@code http://127.0.0.1:41234}. */
  public String endpoint() {
    return (tls != null ? "https" : "http") + "://127.0.0.1:" + clientPort;
  }

  /** The certificate files of a TLS etcd; null for a plain one. */
  public TlsFiles tlsFiles() {
    return tls;
  }

  /** Whether the process is running. */
  public synchronized boolean running() {
    return process != null && process.isAlive();
  }

  /** Starts etcd (again) on the same ports and data; waits until it accepts connections and reports ready. */
  public synchronized void start() throws IOException {
    if (running()) {
      return;
    }
    Path binary = binary();
    List<String> command = new ArrayList<>(List.of(binary.toString(),
        "--name=hostplane-test",
        "--data-dir=" + dataDir,
        "--listen-client-urls=" + endpoint(),
        "--advertise-client-urls=" + endpoint(),
        "--listen-peer-urls=http://127.0.0.1:" + peerPort,
        "--initial-advertise-peer-urls=http://127.0.0.1:" + peerPort,
        "--initial-cluster=hostplane-test=http://127.0.0.1:" + peerPort,
        "--initial-cluster-state=new",
        "--logger=zap",
        "--log-outputs=stderr",
        "--experimental-watch-progress-notify-interval=" + PROGRESS_NOTIFY_INTERVAL.toMillis() + "ms"));
    if (tls != null) {
      command.addAll(List.of("--cert-file=" + tls.serverCertFile(), "--key-file=" + tls.serverKeyFile(),
          "--trusted-ca-file=" + tls.caFile(), "--client-cert-auth"));
    }
    Files.writeString(log, "---- " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    long logOffset = Files.size(log);
    process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    awaitReady(logOffset);
  }

  private void awaitReady(long logOffset) throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("etcd exited with " + process.exitValue() + "; log:\n" + logTail());
      }
      if (accepts(clientPort) && logSince(logOffset).contains("serving client traffic")) {
        return;
      }
      sleep(50);
    }
    stop();
    throw new IllegalStateException("etcd did not become ready within " + START_TIMEOUT + "; log:\n" + logTail());
  }

  /** Stops etcd with SIGTERM (to the process this fixture started) and waits for it to exit; bounded. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    Process p = process;
    process = null;
    p.destroy();
    try {
      if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  /** Stops etcd and deletes its directory. */
  @Override
  public void close() {
    stop();
    if (ownsDir) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The last lines etcd logged, for failure messages. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private String logSince(long offset) throws IOException {
    byte[] all = Files.readAllBytes(log);
    return offset >= all.length ? "" : new String(all, (int) offset, all.length - (int) offset,
        StandardCharsets.UTF_8);
  }

  /** The etcd binary: $ETCD_BINARY, else /usr/bin/etcd, else the first on the PATH. */
  static Path binary() {
    String override = System.getenv("ETCD_BINARY");
    List<Path> candidates = new ArrayList<>();
    if (override != null && !override.isEmpty()) {
      candidates.add(Path.of(override));
    }
    candidates.add(Path.of("/usr/bin/etcd"));
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(java.io.File.pathSeparator)) {
        if (!d.isEmpty()) {
          candidates.add(Path.of(d, "etcd"));
        }
      }
    }
    for (Path c : candidates) {
      if (Files.isExecutable(c)) {
        return c;
      }
    }
    throw new IllegalStateException("the etcd binary is missing (looked for $ETCD_BINARY, /usr/bin/etcd and etcd "
        + "on the PATH): run scripts/install-test-deps.sh to install etcd-server");
  }

  private static Path tempDir() throws IOException {
    // tmpfs when there is one: etcd fsyncs every write, which a disk makes slow and a test does not need.
    Path shm = Path.of("/dev/shm");
    if (Files.isDirectory(shm) && Files.isWritable(shm)) {
      return Files.createTempDirectory(shm, "hostplane-etcd-");
    }
    return Files.createTempDirectory("hostplane-etcd-");
  }

  private static int[] freePorts(int n) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        sockets.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for etcd", e);
    }
  }
}
