package dev.hostplane.ops.node.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.nio.file.Path;

/**
 * One run of a container: its process (leader of its own process group), its log file, and the attached sessions
 * its output is copied to. Two pump threads (stdout, stderr) read the process's output into the log line by line and
 * hand each chunk to the attached sessions.
 */
public final class ContainerInstance {
  /** Where an attached session receives the container's output; called on a pump thread, must not block. */
  public interface OutputListener {
    /** {@code stream} is 1 for stdout, 2 for stderr. */
    void output(int stream, byte[] data, int offset, int length);

    /** The process exited and all its output was delivered. */
    void ended(int exitCode);
  }

  private final String id;
  private final Process process;
  private final LogFile log;
  private final Instant startedAt;
  private final OutputStream stdin;
  private final List<OutputListener> listeners = new CopyOnWriteArrayList<>();
  private final CountDownLatch drained = new CountDownLatch(2);
  private volatile Instant finishedAt;

  private ContainerInstance(String id, Process process, LogFile log, boolean keepStdin) {
    this.id = id;
    this.process = process;
    this.log = log;
    this.startedAt = Instant.now();
    this.stdin = keepStdin ? process.getOutputStream() : null;
    if (!keepStdin) {
      try {
        process.getOutputStream().close();
      } catch (IOException e) {
        // Already closed.
      }
    }
  }

  /** Starts {@code command} in {@code workDir} with exactly {@code env}, its output into {@code logPath}. */
  public static ContainerInstance start(String id, List<String> command, Map<String, String> env, Path workDir,
      Path logPath, boolean keepStdin) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(ProcessGroups.ownGroup(command)).directory(workDir.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    LogFile log = new LogFile(logPath);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      log.close();
      throw e;
    }
    ContainerInstance c = new ContainerInstance(id, p, log, keepStdin);
    c.pump(p.getInputStream(), 1);
    c.pump(p.getErrorStream(), 2);
    Thread waiter = new Thread(c::awaitEnd, "container-wait-" + id);
    waiter.setDaemon(true);
    waiter.start();
    return c;
  }

  private void pump(InputStream in, int stream) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[8192];
      byte[] partial = new byte[0];
      try (in) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          for (OutputListener l : listeners) {
            l.output(stream, buf, 0, n);
          }
          int start = 0;
          for (int i = 0; i < n; i++) {
            if (buf[i] == '\n') {
              if (partial.length > 0) {
                byte[] joined = join(partial, buf, start, i - start);
                log.line(joined, 0, joined.length);
                partial = new byte[0];
              } else {
                log.line(buf, start, i - start);
              }
              start = i + 1;
            }
          }
          if (start < n) {
            partial = join(partial, buf, start, n - start);
            if (partial.length >= 16 * 1024) {
              log.line(partial, 0, partial.length);
              partial = new byte[0];
            }
          }
        }
      } catch (IOException e) {
        // The process went away: its pipe is closed.
      } finally {
        if (partial.length > 0) {
          log.line(partial, 0, partial.length);
        }
        drained.countDown();
      }
    }, "container-output-" + id + "-" + stream);
    t.setDaemon(true);
    t.start();
  }

  private static byte[] join(byte[] a, byte[] b, int off, int len) {
    byte[] r = new byte[a.length + len];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, off, r, a.length, len);
    return r;
  }

  private void awaitEnd() {
    try {
      int code = process.waitFor();
      // Children that kept the pipes open may still write; give them a moment, then the log is final.
      drained.await(2, TimeUnit.SECONDS);
      finishedAt = Instant.now();
      log.close();
      for (OutputListener l : listeners) {
        l.ended(code);
      }
      synchronized (this) {
        notifyAll();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public String id() {
    return id;
  }

  public long pid() {
    return process.pid();
  }

  public Path logPath() {
    return log.path();
  }

  public Instant startedAt() {
    return startedAt;
  }

  /** When the process exited and its log was closed; null while it runs. */
  public Instant finishedAt() {
    return finishedAt;
  }

  public boolean finished() {
    return finishedAt != null;
  }

  public int exitCode() {
    return process.exitValue();
  }

  /** The process's stdin when the container keeps it open ({@code stdin: true}), else null. */
  public OutputStream stdin() {
    return stdin;
  }

  public void attach(OutputListener l) {
    listeners.add(l);
    if (finished()) {
      l.ended(exitCode());
    }
  }

  public void detach(OutputListener l) {
    listeners.remove(l);
  }

  /** Waits up to {@code millis} for the instance to finish; true when it has. */
  public synchronized boolean awaitFinished(long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (!finished()) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }

  /** TERM to the process group. */
  public void terminate() {
    ProcessGroups.signal(process.pid(), "TERM");
  }

  /** KILL to the process group, then to the leader in case the group is already gone. */
  public void kill() {
    ProcessGroups.signal(process.pid(), "KILL");
    process.destroyForcibly();
  }
}
