package dev.hostplane.ops.bench;

import java.io.PrintStream;

/**
 * What every phase works with. Phases run one after another on the main thread; {@code log} takes progress lines
 * (one per step), {@code table} the figures; {@code config} serves to open further connections.
 */
public record RunContext(ClientConfig config, Http2Client client, BenchOptions options, ConfigMaps configMaps, Namespaces namespaces,
    ResultTable table, PrintStream log) {

  /** Records a phase's request errors, if any, as a failure line. */
  void reportErrors(String phase, LoadLoop.Result r) {
    if (r.errors() > 0) {
      table.failure(phase, r.errors() + " of " + (r.ok() + r.errors()) + " requests failed; first: "
          + r.firstError());
    }
  }
}
