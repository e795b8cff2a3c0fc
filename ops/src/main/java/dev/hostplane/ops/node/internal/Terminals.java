package dev.hostplane.ops.node.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Pseudo-terminal sizes: resize messages and the {@code stty} that applies them to a process's terminal. */
final class Terminals {
  private Terminals() {}

  /**
   * Applies a resize to the terminal of the process {@code script} (pid {@code scriptPid}) runs the command under.
   * Blocks for {@code stty}; call off the event loop.
   */
  static void resize(long scriptPid, int width, int height) {
    Optional<String> pts = Optional.empty();
    for (int i = 0; i < 50 && pts.isEmpty(); i++) {
      pts = ProcessHandle.of(scriptPid).stream().flatMap(ProcessHandle::children).findFirst()
          .flatMap(child -> terminalOf(child.pid()));
      if (pts.isEmpty()) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    if (pts.isEmpty()) {
      return;
    }
    try {
      new ProcessBuilder("stty", "-F", pts.get(), "rows", String.valueOf(height), "cols", String.valueOf(width))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    } catch (IOException e) {
      // No stty: the terminal keeps its size.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Optional<String> terminalOf(long pid) {
    try {
      Path target = Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/0"));
      return target.toString().startsWith("/dev/pts/") ? Optional.of(target.toString()) : Optional.empty();
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.empty();
    }
  }

  /** Reads back-to-back JSON objects {@code {"Width":80,"Height":24}} from accumulated resize bytes. */
  static final class ResizeDecoder {
    private final StringBuilder pending = new StringBuilder();

    /** Appends bytes and returns the complete messages found, as {width, height} pairs. */
    java.util.List<int[]> feed(byte[] bytes) {
      pending.append(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
      java.util.List<int[]> sizes = new java.util.ArrayList<>();
      while (true) {
        int end = pending.indexOf("}");
        if (end < 0) {
          return sizes;
        }
        String msg = pending.substring(0, end + 1);
        pending.delete(0, end + 1);
        try {
          JsonNode n = ApiClient.JSON.readTree(msg.trim());
          sizes.add(new int[] {n.path("Width").asInt(), n.path("Height").asInt()});
        } catch (IOException e) {
          // Not a size: skip it.
        }
      }
    }
  }
}
