package dev.hostplane.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.patch.internal.JsonTrees;
import dev.hostplane.apiserver.patch.internal.StrategicMerger;
import java.lang.management.ManagementFactory;
import java.util.function.Supplier;

/**
 * A measurement, not a test: bytes allocated per strategic merge PATCH of a ~10 KiB Pod, for a
 * {@code kubectl set image}-style and a {@code kubectl apply}-style patch, with three ways of producing a result
 * that shares nothing with the original, plus baselines. Uses the JVM's per-thread allocation counter around N
 * applications after a warm-up; prints a Markdown table. Run with the test classpath, e.g.
 * {@code java -cp apiserver/target/classes:apiserver/target/test-classes:<jackson jars>
 * dev.hostplane.apiserver.patch.StrategicMergePatchAllocationBench [iterations]}.
 */
public final class StrategicMergePatchAllocationBench {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static long sink;

  private StrategicMergePatchAllocationBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    ObjectNode pod = PodFixtures.pod();
    int size = Codecs.mapper().writeValueAsBytes(pod).length;
    System.out.printf("Pod JSON: %d bytes; %d iterations per row after %d warm-up%n%n", size, n, n);
    System.out.println("| patch | method | bytes / patch | x JSON size | us / patch |");
    System.out.println("|---|---|---:|---:|---:|");
    row("-", "Jackson deepCopy() of the Pod (baseline)", size, n, () -> pod.deepCopy());
    row("-", "right-sized deep copy of the Pod (baseline)", size, n, () -> JsonTrees.copy(pod));
    for (String[] p : new String[][] {{"set image", "s"}, {"apply", "a"}}) {
      JsonNode patch = p[1].equals("s") ? PodFixtures.setImagePatch() : PodFixtures.applyPatch();
      row(p[0], "(a) deep copy, then merge into the copy", size, n,
          () -> new StrategicMerger(false).mergeMap((ObjectNode) JsonTrees.copy(pod), (ObjectNode) patch,
              TestSchemas.POD));
      row(p[0], "(b) merge sharing the original, then copy the result", size, n,
          () -> JsonTrees.copy(new StrategicMerger(false).mergeMap(pod, (ObjectNode) patch, TestSchemas.POD)));
      row(p[0], "(c) merge copying untouched subtrees as attached (shipped)", size, n,
          () -> StrategicMergePatch.apply(pod, patch, TestSchemas.POD));
      row(p[0], "merge sharing the original (no copy; not safe to ship)", size, n,
          () -> new StrategicMerger(false).mergeMap(pod, (ObjectNode) patch, TestSchemas.POD));
    }
    System.out.println("\n(sink " + sink + ")");
  }

  private static void row(String patch, String method, int size, int n, Supplier<JsonNode> op) {
    run(op, n); // warm-up: let the JIT settle before counting
    long before = THREADS.getCurrentThreadAllocatedBytes();
    long t0 = System.nanoTime();
    run(op, n);
    long nanos = System.nanoTime() - t0;
    long bytes = (THREADS.getCurrentThreadAllocatedBytes() - before) / n;
    System.out.printf("| %s | %s | %,d | %.1f | %.1f |%n", patch, method, bytes, (double) bytes / size,
        nanos / 1000.0 / n);
  }

  private static void run(Supplier<JsonNode> op, int n) {
    for (int i = 0; i < n; i++) {
      sink += op.get().size();
    }
  }
}
