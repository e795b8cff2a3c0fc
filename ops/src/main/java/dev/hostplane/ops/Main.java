package dev.hostplane.ops;

import dev.hostplane.apiserver.config.Flags;
import java.util.Arrays;
import java.util.List;

/** The {@code hostplane} command: one subcommand per component. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    List<String> rest = args.length == 0 ? List.of() : Arrays.asList(args).subList(1, args.length);
    String command = args.length == 0 ? "help" : args[0];
    try {
      int code = switch (command) {
        case "apiserver" -> ApiServerCommand.run(rest);
        case "bench" -> BenchCommand.run(rest);
        case "konnectivity-server" -> KonnectivityServerCommand.run(rest);
        case "konnectivity-agent" -> KonnectivityAgentCommand.run(rest);
        case "node" -> NodeCommand.run(rest);
        case "up" -> UpCommand.run(rest);
        case "version", "--version" -> {
          System.out.println(dev.hostplane.apiserver.discovery.Version.info().toPrettyString());
          yield 0;
        }
        case "help", "--help", "-h" -> {
          usage();
          yield 0;
        }
        default -> {
          System.err.println("hostplane: unknown command \"" + command + "\"");
          usage();
          yield 2;
        }
      };
      if (code != 0) {
        System.exit(code);
      }
    } catch (Flags.FlagException e) {
      System.err.println("hostplane " + command + ": " + e.getMessage());
      System.err.println("Run 'hostplane " + command + " --help' for usage.");
      System.exit(2);
    }
  }

  private static void usage() {
    System.out.println("""
        Hostplane: a Kubernetes API server for managed clusters.

        Usage: hostplane <command> [flags]

        Commands:
          apiserver   Run an apiserver (TLS, embedded storage by default).
          bench       Drive a running apiserver (given by kubeconfig) and print throughput and latency figures.
          konnectivity-server  Run a Konnectivity proxy-server (the apiserver's end of the cluster tunnel).
          konnectivity-agent   Run a Konnectivity agent (the cluster's end: dials out to the proxy-servers).
          up          Run a local managed cluster (apiserver, Konnectivity, sandbox nodes) in one process.
          node        Run a sandbox node: pods as local processes, the kubelet API (logs, exec, port-forward).
          version     Print the version.
          help        Print this help.

        Run 'hostplane <command> --help' for a command's flags.""");
  }
}
