package dev.hostplane.ops.bench;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * The bench's ConfigMaps: request paths and bodies. Every object carries one data entry, {@code payload}, of
 * {@code payloadBytes} ASCII letters and digits (the same for every object of a run), and the label
 * {@code app.kubernetes.io/managed-by=hostplane-bench}. Immutable and thread-safe.
 */
public final class ConfigMaps {
  /** The annotation carrying a watch update's send time ({@link System#nanoTime()} of this process). */
  public static final String SENT_ANNOTATION = "bench.hostplane.dev/sent-nanos";
  /** The annotation carrying a watch update's sequence number, from 0. */
  public static final String SEQ_ANNOTATION = "bench.hostplane.dev/seq";
  public static final String LABEL = "app.kubernetes.io/managed-by";
  public static final String LABEL_VALUE = "hostplane-bench";

  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

  private final byte[] head;
  private final byte[] tail;

  public ConfigMaps(int payloadBytes) {
    if (payloadBytes < 0) {
      throw new IllegalArgumentException("payload bytes must be >= 0, got " + payloadBytes);
    }
    Random random = new Random(payloadBytes);
    StringBuilder payload = new StringBuilder(payloadBytes);
    for (int i = 0; i < payloadBytes; i++) {
      payload.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    head = ascii("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"");
    tail = ascii("\",\"labels\":{\"" + LABEL + "\":\"" + LABEL_VALUE + "\"}},\"data\":{\"payload\":\""
        + payload + "\"}}");
  }

  public static String collection(String namespace) {
    return "/api/v1/namespaces/" + namespace + "/configmaps";
  }

  public static String object(String namespace, String name) {
    return collection(namespace) + "/" + name;
  }

  /** The JSON of a new ConfigMap named {@code name} (a DNS-1123 subdomain: not escaped). */
  public byte[] body(String name) {
    byte[] n = ascii(name);
    byte[] out = new byte[head.length + n.length + tail.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(n, 0, out, head.length, n.length);
    System.arraycopy(tail, 0, out, head.length + n.length, tail.length);
    return out;
  }

  public HttpRequest create(String namespace, String name) {
    return HttpRequest.post(collection(namespace), body(name));
  }

  /** A merge patch stamping a watch update: its sequence number and send time. */
  public static HttpRequest stamp(String namespace, String name, int seq, long sentNanos) {
    String patch = "{\"metadata\":{\"annotations\":{\"" + SEQ_ANNOTATION + "\":\"" + seq + "\",\""
        + SENT_ANNOTATION + "\":\"" + sentNanos + "\"}}}";
    return HttpRequest.mergePatch(object(namespace, name), ascii(patch));
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
