package dev.hostplane.ops;

import dev.hostplane.apiserver.config.Flags;
import dev.hostplane.ops.bench.BenchException;
import dev.hostplane.ops.bench.BenchOptions;
import dev.hostplane.ops.bench.ClientConfig;
import dev.hostplane.ops.bench.Http2Client;
import dev.hostplane.ops.bench.Phases;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code hostplane bench}: drives any apiserver named by a kubeconfig (ours or upstream's) over HTTP/2 + TLS and
 * prints a table of figures: create and get throughput, LIST latency, watch delivery latency, server memory; with
 * {@code --etcd-servers}, also the raw put throughput of the server's etcd and the heap of a watch cache.
 *
 * <p>Exit codes: 0 when the run completed (missed targets and FAILURE lines are reported in the output, not as
 * the exit code), 1 on errors that stop the run (bad flags, unreadable kubeconfig, unreachable server, refused
 * credentials: the server's Status message is printed).
 */
public final class BenchCommand {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private BenchCommand() {}

  public static int run(List<String> args) {
    return run(args, System.getenv(), System.out, System.err);
  }

  /** As {@link #run(List)}, with the environment and output streams given (for tests). */
  static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    Flags flags = BenchOptions.flags(env, System.getProperty("user.home"));
    BenchOptions options;
    try {
      List<String> positional = flags.parse(args);
      if (flags.bool("help")) {
        out.print(usage(flags));
        return 0;
      }
      if (!positional.isEmpty()) {
        throw new Flags.FlagException("unexpected arguments: " + positional);
      }
      options = BenchOptions.from(flags);
    } catch (Flags.FlagException e) {
      err.println("error: " + e.getMessage());
      err.print(usage(flags));
      return 1;
    }
    ClientConfig config;
    try {
      config = ClientConfig.load(options.kubeconfig());
    } catch (IOException | IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
    err.println("bench: " + config.server() + " over " + options.connections() + " HTTP/2 connections");
    try (Http2Client client = Http2Client.connect(config, options.connections(), CONNECT_TIMEOUT)) {
      out.print(Phases.run(config, client, options, err).render());
      return 0;
    } catch (BenchException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }

  private static String usage(Flags flags) {
    return "Usage: hostplane bench [flags]\n\n"
        + "Benchmarks the apiserver of a kubeconfig's current context over HTTP/2: creates, gets, lists and\n"
        + "watches ConfigMaps in bench namespaces, reads the server's /metrics, and prints a table of figures.\n"
        + "With --etcd-servers (the server's etcd), it also measures raw etcd puts and a watch cache's heap.\n\n"
        + "Flags:\n" + flags.usage();
  }
}
