package dev.hostplane.ops.node.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Container and exec processes run as leaders of their own process group ({@code setsid}), so that a signal reaches
 * everything they started, including children that outlive their parent.
 */
public final class ProcessGroups {
  private ProcessGroups() {}

  /** {@code command} prefixed so that it runs in a new session and process group of its own. */
  public static List<String> ownGroup(List<String> command) {
    List<String> c = new ArrayList<>(command.size() + 1);
    c.add("setsid");
    c.addAll(command);
    return c;
  }

  /** {@code command} under a pseudo-terminal ({@code script}), its output on the caller's stdout. */
  public static List<String> underTerminal(List<String> command) {
    return underTerminal(command, null);
  }

  /**
   * As {@link #underTerminal(List)}, the terminal first set to {@code size} ({width, height}; null: left as it
   * is), so that the command starts with the client's size.
   */
  public static List<String> underTerminal(List<String> command, int[] size) {
    StringBuilder sh = new StringBuilder();
    if (size != null && size[0] > 0 && size[1] > 0) {
      sh.append("stty rows ").append(size[1]).append(" cols ").append(size[0]).append(" 2>/dev/null; ");
    }
    sh.append("exec");
    for (String arg : command) {
      sh.append(' ').append(shellQuote(arg));
    }
    return List.of("script", "-qfec", sh.toString(), "/dev/null");
  }

  static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** Sends {@code signal} (TERM, KILL) to the process group led by {@code pid}; blocks for the kill command. */
  public static void signal(long pid, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-s", signal, "--", "-" + pid)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      kill.waitFor();
    } catch (IOException e) {
      // No kill binary: fall back to the leader alone.
      ProcessHandle.of(pid).ifPresent(p -> {
        if (signal.equals("KILL")) {
          p.destroyForcibly();
        } else {
          p.destroy();
        }
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
