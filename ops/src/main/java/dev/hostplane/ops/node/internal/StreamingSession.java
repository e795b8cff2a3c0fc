package dev.hostplane.ops.node.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.spdy.SpdyHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An exec or attach session over SPDY, on the {@code channel.k8s.io} protocols (v4 down to v1): waits for the
 * streams the request asked for (error, stdin, stdout, stderr, resize), then runs the command (exec) or joins the
 * container's running process (attach), carries the streams, and on exit writes the outcome on the error stream
 * (a Status in v4, text before) and closes the session.
 */
public final class StreamingSession implements SpdyConnection.Handler {
  /** What the request asked for. */
  public record Request(boolean exec, List<String> command, boolean stdin, boolean stdout, boolean stderr,
      boolean tty, String protocol) {}

  private static final long STREAM_CREATION_TIMEOUT_SECONDS = 30;
  private static final long FIRST_SIZE_WAIT_MILLIS = 500;
  /** Runs stty for resizes and kill for ended sessions; one thread keeps each session's sizes in order. */
  private static final java.util.concurrent.ExecutorService PROCESS_TASKS =
      java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "session-process-tasks");
        t.setDaemon(true);
        return t;
      });

  private final Request request;
  private final PodRuntime pod;
  private final PodRuntime.Container container;
  private final Map<String, Integer> streams = new java.util.concurrent.ConcurrentHashMap<>();
  private final Set<String> expected = new HashSet<>();
  private final CompletableFuture<OutputStream> stdinTarget = new CompletableFuture<>();
  private final Terminals.ResizeDecoder resizes = new Terminals.ResizeDecoder();
  private SpdyConnection connection;
  private StdinPump stdin;
  private boolean started;
  private volatile boolean closed;
  private volatile long terminalPid = -1;
  private int[] pendingSize;
  private final java.util.concurrent.CountDownLatch firstSize = new java.util.concurrent.CountDownLatch(1);
  private volatile Process process;
  private volatile ContainerInstance attached;
  private volatile ContainerInstance.OutputListener listener;

  public StreamingSession(Request request, PodRuntime pod, PodRuntime.Container container) {
    this.request = request;
    this.pod = pod;
    this.container = container;
    expected.add("error");
    if (request.stdin()) {
      expected.add("stdin");
    }
    if (request.stdout()) {
      expected.add("stdout");
    }
    if (request.stderr() && !request.tty()) {
      expected.add("stderr");
    }
    if (request.tty() && version() >= 3) {
      expected.add("resize");
    }
  }

  private int version() {
    return switch (request.protocol()) {
      case "v4.channel.k8s.io" -> 4;
      case "v3.channel.k8s.io" -> 3;
      case "v2.channel.k8s.io" -> 2;
      default -> 1;
    };
  }

  @Override
  public void streamOpened(SpdyConnection connection, int streamId, SpdyHeaders headers) {
    if (this.connection == null) {
      this.connection = connection;
      connection.channel().eventLoop().schedule(() -> {
        if (!started) {
          connection.close();
        }
      }, STREAM_CREATION_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
    String type = headers.getAsString("streamtype");
    if (type == null) {
      connection.reset(streamId);
      return;
    }
    streams.put(type, streamId);
    if (type.equals("stdin") && stdin == null) {
      boolean closeAtEof = request.exec() || container.spec.path("stdinOnce").asBoolean(false);
      stdin = new StdinPump(connection.channel(), stdinTarget, pod.name() + "-" + container.name(), closeAtEof);
    }
    if (!started && streams.keySet().containsAll(expected)) {
      started = true;
      // Hop: starting a process and copying its output block; the session's own thread does that.
      Thread t = new Thread(request.exec() ? this::runExec : this::runAttach,
          (request.exec() ? "exec-" : "attach-") + pod.name() + "-" + container.name());
      t.setDaemon(true);
      t.start();
    }
  }

  @Override
  public void data(int streamId, ByteBuf data) {
    if (stdin != null && streamId == streams.getOrDefault("stdin", -1)) {
      stdin.offer(data);
    } else if (streamId == streams.getOrDefault("resize", -1)) {
      byte[] bytes = new byte[data.readableBytes()];
      data.readBytes(bytes);
      data.release();
      for (int[] size : resizes.feed(bytes)) {
        resize(size);
      }
    } else {
      data.release();
    }
  }

  /**
   * Applies a size now, or remembers it until the terminal exists (clients send the first size as soon as the
   * resize stream is open, usually before the process started). Any thread.
   */
  private synchronized void resize(int[] size) {
    pendingSize = size;
    firstSize.countDown();
    long pid = terminalPid;
    if (pid > 0) {
      // Hop: stty is a process; run it off the event loop, one size at a time, in order.
      PROCESS_TASKS.execute(() -> Terminals.resize(pid, size[0], size[1]));
    }
  }

  private synchronized void terminalStarted(long pid) {
    terminalPid = pid;
    if (pendingSize != null) {
      resize(pendingSize);
    }
  }

  @Override
  public void remoteClosed(int streamId, boolean reset) {
    if (stdin != null && streamId == streams.getOrDefault("stdin", -1)) {
      stdin.eof();
    }
  }

  @Override
  public void closed() {
    closed = true;
    if (stdin != null) {
      stdin.eof();
    }
    stdinTarget.completeExceptionally(new IOException("session closed"));
    Process p = process;
    if (p != null) {
      // Hop: kill is a process of its own; never wait for it on the event loop.
      CompletableFuture.runAsync(() -> ProcessGroups.signal(p.pid(), "KILL"), PROCESS_TASKS);
    }
    ContainerInstance a = attached;
    if (a != null) {
      a.detach(listener);
    }
  }

  private void runExec() {
    List<String> command = request.command();
    if (request.tty()) {
      // Clients send their terminal's size as soon as the resize stream is open: start with it when it comes soon.
      try {
        if (streams.containsKey("resize")) {
          firstSize.await(FIRST_SIZE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      int[] size;
      synchronized (this) {
        size = pendingSize;
      }
      command = ProcessGroups.underTerminal(command, size);
    }
    ProcessBuilder pb = new ProcessBuilder(ProcessGroups.ownGroup(command));
    Map<String, String> env = pod.environment(container);
    if (request.tty()) {
      env.put("TERM", "xterm");
    }
    pb.environment().clear();
    pb.environment().putAll(env);
    String wd = container.spec.path("workingDir").asText("");
    Path dir = wd.isEmpty() ? pod.workDir() : Path.of(wd);
    if (Files.isDirectory(dir)) {
      pb.directory(dir.toFile());
    }
    pb.redirectErrorStream(request.tty());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      finish(failure("InternalError", "failed to exec in container: " + e.getMessage(), null));
      return;
    }
    process = p;
    if (closed) {
      ProcessGroups.signal(p.pid(), "KILL");
    }
    if (request.tty()) {
      terminalStarted(p.pid());
    }
    if (request.stdin()) {
      stdinTarget.complete(p.getOutputStream());
    } else {
      try {
        p.getOutputStream().close();
      } catch (IOException e) {
        // Already closed.
      }
    }
    List<Thread> pumps = new ArrayList<>();
    pumps.add(pump(p.getInputStream(), streams.get("stdout")));
    if (!request.tty()) {
      pumps.add(pump(p.getErrorStream(), streams.get("stderr")));
    }
    int code;
    try {
      code = p.waitFor();
      for (Thread t : pumps) {
        t.join(2000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } finally {
      // Children the command left behind end with it.
      ProcessGroups.signal(p.pid(), "KILL");
    }
    finish(code == 0 ? success() : exitFailure(code));
  }

  private Thread pump(InputStream in, Integer streamId) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[32 * 1024];
      try (in) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (streamId == null || closed) {
            continue;
          }
          // Bounded: wait until the client has read what was sent before reading more from the process.
          if (!connection.awaitWritable()) {
            return;
          }
          connection.write(streamId, java.util.Arrays.copyOf(buf, n));
        }
      } catch (IOException e) {
        // The process or its pipe went away.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "exec-output-" + pod.name());
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void runAttach() {
    ContainerInstance instance = container.current();
    if (instance == null || instance.finished()) {
      finish(failure("BadRequest", "container " + container.name() + " is not running", null));
      return;
    }
    attached = instance;
    if (container.tty()) {
      terminalStarted(instance.pid());
    }
    // Output first, so that what the container answers to the first input reaches this session.
    Integer out = streams.get("stdout");
    Integer err = streams.get(container.tty() ? "stdout" : "stderr");
    listener = new ContainerInstance.OutputListener() {
      @Override
      public void output(int stream, byte[] data, int offset, int length) {
        Integer id = stream == 1 ? out : err;
        // Attach never slows the container: output a slow client cannot take is dropped for that client.
        if (id != null && !closed && connection.channel().isWritable()) {
          connection.write(id, java.util.Arrays.copyOfRange(data, offset, offset + length));
        }
      }

      @Override
      public void ended(int exitCode) {
        finish(exitCode == 0 ? success() : exitFailure(exitCode));
      }
    };
    instance.attach(listener);
    if (request.stdin() && instance.stdin() != null) {
      stdinTarget.complete(new OutputStream() {
        // The container's stdin outlives the session: closing this view does not close it unless stdinOnce.
        @Override
        public void write(int b) throws IOException {
          instance.stdin().write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          instance.stdin().write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
          instance.stdin().flush();
        }

        @Override
        public void close() throws IOException {
          if (container.spec.path("stdinOnce").asBoolean(false)) {
            instance.stdin().close();
          }
        }
      });
    } else {
      stdinTarget.completeExceptionally(new IOException("the container does not keep stdin open"));
    }
  }

  private ObjectNode success() {
    ObjectNode s = ApiClient.JSON.createObjectNode();
    s.putObject("metadata");
    return s.put("status", "Success");
  }

  private ObjectNode exitFailure(int code) {
    return failure("NonZeroExitCode", "command terminated with non-zero exit code: exit status " + code, code);
  }

  private ObjectNode failure(String reason, String message, Integer exitCode) {
    ObjectNode s = ApiClient.JSON.createObjectNode();
    s.putObject("metadata");
    s.put("status", "Failure").put("message", message).put("reason", reason);
    if (exitCode != null) {
      s.putObject("details").putArray("causes").addObject().put("reason", "ExitCode")
          .put("message", String.valueOf(exitCode));
    }
    return s;
  }

  private synchronized void finish(ObjectNode status) {
    if (closed) {
      return;
    }
    closed = true;
    Integer error = streams.get("error");
    if (error != null) {
      boolean ok = status.path("status").asText().equals("Success");
      byte[] body;
      if (version() >= 4) {
        body = status.toString().getBytes(StandardCharsets.UTF_8);
        connection.write(error, body);
      } else if (!ok) {
        connection.write(error, status.path("message").asText().getBytes(StandardCharsets.UTF_8));
      }
    }
    for (Integer id : streams.values()) {
      connection.finish(id);
    }
    connection.close();
  }
}
