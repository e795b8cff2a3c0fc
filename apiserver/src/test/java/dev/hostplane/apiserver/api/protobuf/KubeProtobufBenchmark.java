package dev.hostplane.apiserver.api.protobuf;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.MediaType;

/**
 * Prints encode / decode / round-trip times of a ~10 KiB Pod, protobuf against JSON. A command, not a test:
 * {@code java -cp <test classpath> dev.hostplane.apiserver.api.protobuf.KubeProtobufBenchmark}.
 */
public final class KubeProtobufBenchmark {
  private KubeProtobufBenchmark() {}

  public static void main(String[] args) {
    long load = System.nanoTime();
    KubeProtobuf.supports("v1", "Pod");
    System.out.printf("schemas loaded in %.0f ms%n", (System.nanoTime() - load) / 1e6);
    ObjectNode pod = KubeProtobufRoundTripTest.golden("pod");
    ArrayNode containers = (ArrayNode) pod.get("spec").get("containers");
    ObjectNode template = (ObjectNode) containers.get(0);
    for (int i = 1; Codecs.writeJson(pod).length < 10 * 1024; i++) {
      ObjectNode c = template.deepCopy();
      c.put("name", "sidecar-" + i);
      containers.add(c);
    }
    byte[] json = Codecs.writeJson(pod);
    byte[] proto = KubeProtobuf.encode(pod);
    System.out.printf("pod: %d bytes JSON, %d bytes protobuf%n", json.length, proto.length);
    long sink = 0;
    for (int round = 0; round < 5; round++) {
      int n = round < 2 ? 20_000 : 50_000;
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        sink += KubeProtobuf.encode(pod).length;
      }
      long t1 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        sink += KubeProtobuf.decode(proto).size();
      }
      long t2 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        sink += Codecs.writeJson(pod).length;
      }
      long t3 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        sink += Codecs.readObject(json, MediaType.JSON).size();
      }
      long t4 = System.nanoTime();
      if (round >= 2) {
        System.out.printf("%-22s %8s%n", "operation", "µs/op");
        System.out.printf("%-22s %8.1f%n", "protobuf encode", (t1 - t0) / 1e3 / n);
        System.out.printf("%-22s %8.1f%n", "protobuf decode", (t2 - t1) / 1e3 / n);
        System.out.printf("%-22s %8.1f%n", "protobuf round trip", (t2 - t0) / 1e3 / n);
        System.out.printf("%-22s %8.1f%n", "JSON encode", (t3 - t2) / 1e3 / n);
        System.out.printf("%-22s %8.1f%n", "JSON decode", (t4 - t3) / 1e3 / n);
        System.out.printf("%-22s %8.1f%n", "JSON round trip", (t4 - t2) / 1e3 / n);
      }
    }
    System.out.println(sink == 42 ? "" : "done");
  }
}
