package dev.hostplane.ops.bench;

import dev.hostplane.apiserver.config.Flags;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code hostplane bench} was asked to do: the parsed command line. Immutable.
 *
 * @param duration how long each timed phase (create, get) runs
 * @param warmup how long the server is loaded with creates and gets before the timed phases (JIT warm-up); 0 none
 * @param watchRate ConfigMap updates per second during the watch phase
 * @param etcdServers client URLs ({@code http://host:port}) of the etcd the apiserver under test uses; empty: the
 *     etcd and cache-memory phases are skipped with a note
 * @param etcdPrefix the apiserver's {@code --etcd-prefix}, under which its ConfigMaps are stored
 * @param skip phases not to run, a subset of {@link #PHASES}
 */
public record BenchOptions(
    Path kubeconfig,
    String namespace,
    int concurrency,
    int connections,
    Duration duration,
    Duration warmup,
    int objects,
    int watchers,
    int watchEvents,
    int watchRate,
    int payloadBytes,
    List<URI> etcdServers,
    String etcdPrefix,
    Set<String> skip,
    boolean keep) {

  /** Every phase, in the order they run. */
  public static final List<String> PHASES =
      List.of("etcd", "create", "get", "authz", "list", "cache-memory", "watch", "memory");

  /**
   * Watch streams per connection of the watch phase: below the 100 concurrent streams an apiserver allows by default
   * (upstream's and ours), with room for the odd request.
   */
  static final int WATCHES_PER_CONNECTION = 90;

  public BenchOptions {
    etcdServers = List.copyOf(etcdServers);
    skip = Set.copyOf(skip);
  }

  /** Whether the etcd the apiserver uses was named, so the etcd and cache-memory phases can run. */
  public boolean hasEtcd() {
    return !etcdServers.isEmpty();
  }

  /** The storage root of the apiserver's ConfigMaps in etcd, e.g. {@code /registry/configmaps/}. */
  public String configMapRoot() {
    return (etcdPrefix.endsWith("/") ? etcdPrefix : etcdPrefix + "/") + "configmaps/";
  }

  /**
   * The connections the watch phase spreads its watches over: {@code --connections}, or more when the watches would
   * otherwise exceed {@link #WATCHES_PER_CONNECTION} on a connection (a server refuses streams beyond its limit, so
   * the rest would never open).
   */
  public int watchConnections() {
    return watchConnections(watchers, connections);
  }

  static int watchConnections(int watchers, int connections) {
    return Math.max(connections, (watchers + WATCHES_PER_CONNECTION - 1) / WATCHES_PER_CONNECTION);
  }

  public boolean runs(String phase) {
    return !skip.contains(phase);
  }

  /** The namespace of the list phase. */
  public String listNamespace() {
    return namespace + "-list";
  }

  /** The flags, with defaults taken from {@code env} ({@code KUBECONFIG}) and the user's home directory. */
  public static Flags flags(Map<String, String> env, String userHome) {
    return new Flags()
        .declare("kubeconfig", ClientConfig.defaultPath(env, userHome).toString(),
            "Path to the kubeconfig of the apiserver to drive (its current context is used).")
        .declare("namespace", "hostplane-bench", "Namespace to work in, created if missing; the list phase uses "
            + "<namespace>-list. Namespaces the bench created (or labelled earlier) are deleted at the end.")
        .declare("concurrency", "64", "Requests in flight during the create and get phases.")
        .declare("connections", "4", "HTTP/2 connections to spread the requests and watches over.")
        .declare("duration", "10s", "How long each of the create and get phases runs.")
        .declare("warmup", "5s", "Creates and gets before the timed phases, so that the server's JIT has compiled "
            + "the hot paths (0 disables; the warm-up objects stay in the namespace).")
        .declare("objects", "10000", "ConfigMaps in the list phase's namespace.")
        .declare("watchers", "100", "Concurrent watches in the watch phase.")
        .declare("watch-events", "500", "ConfigMap updates each watcher must receive.")
        .declare("watch-rate", "100", "Updates per second during the watch phase.")
        .declare("payload-bytes", "1024", "Size of each ConfigMap's data payload.")
        .declare("etcd-servers", "", "Client URLs (http://host:port, comma separated) of the etcd the apiserver "
            + "under test uses: enables the etcd phase (raw puts of the create phase's bodies, to compare with its "
            + "creates) and the cache-memory phase (heap of a watch cache of its ConfigMaps, in this process). "
            + "Unset: both are skipped.")
        .declare("etcd-prefix", "/registry", "The apiserver's --etcd-prefix (where its ConfigMaps are in etcd).")
        .declare("skip", "", "Comma-separated phases to skip: " + String.join(",", PHASES) + ".")
        .declareBool("keep", false, "Keep the bench namespaces and their objects at the end.")
        .declareBool("help", false, "Print this help.");
  }

  /** Reads parsed flags; invalid values fail with {@link Flags.FlagException} naming the flag. */
  public static BenchOptions from(Flags f) {
    Set<String> skip = new LinkedHashSet<>(f.list("skip"));
    for (String s : skip) {
      if (!PHASES.contains(s)) {
        throw new Flags.FlagException("invalid argument \"" + s + "\" for \"--skip\" flag: expected some of "
            + String.join(",", PHASES));
      }
    }
    Duration duration = f.duration("duration");
    if (duration.isZero() || duration.isNegative()) {
      throw new Flags.FlagException("invalid argument for \"--duration\" flag: must be positive");
    }
    List<URI> etcd = etcdServers(f.list("etcd-servers"));
    String prefix = f.string("etcd-prefix");
    if (!prefix.startsWith("/")) {
      throw new Flags.FlagException("invalid argument \"" + prefix + "\" for \"--etcd-prefix\" flag: must start "
          + "with /");
    }
    String ns = f.string("namespace");
    if (!ns.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") || ns.length() > 58) {
      throw new Flags.FlagException("invalid argument \"" + ns + "\" for \"--namespace\" flag: must be a DNS "
          + "label of at most 58 characters (the list phase appends -list)");
    }
    return new BenchOptions(
        Path.of(f.string("kubeconfig")),
        ns,
        positive(f, "concurrency"),
        positive(f, "connections"),
        duration,
        f.duration("warmup"),
        atLeast(f, "objects", 0),
        positive(f, "watchers"),
        positive(f, "watch-events"),
        positive(f, "watch-rate"),
        atLeast(f, "payload-bytes", 0),
        etcd,
        prefix,
        skip,
        f.bool("keep"));
  }

  /** The URLs of {@code --etcd-servers}; only plain http (the bench has no etcd TLS flags). */
  private static List<URI> etcdServers(List<String> values) {
    List<URI> urls = new ArrayList<>();
    for (String v : values) {
      URI u;
      try {
        u = new URI(v.trim());
      } catch (URISyntaxException e) {
        u = null;
      }
      if (u == null || !"http".equals(u.getScheme()) || u.getHost() == null || u.getPort() < 0
          || !(u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/"))
          || u.getRawQuery() != null || u.getRawFragment() != null || u.getRawUserInfo() != null) {
        throw new Flags.FlagException("invalid argument \"" + v + "\" for \"--etcd-servers\" flag: expected "
            + "http://host:port (the bench reaches etcd over plain http only)");
      }
      urls.add(u);
    }
    return urls;
  }

  private static int positive(Flags f, String name) {
    return atLeast(f, name, 1);
  }

  private static int atLeast(Flags f, String name, int min) {
    int v = f.integer(name);
    if (v < min) {
      throw new Flags.FlagException("invalid argument \"" + v + "\" for \"--" + name + "\" flag: must be >= "
          + min);
    }
    return v;
  }
}
