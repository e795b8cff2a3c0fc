package dev.hostplane.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;

/** Helpers for tests of several apiservers on one storage. */
final class Replicas {
  private Replicas() {}

  /** Polls {@code probe} until it returns true; fails after {@code timeout}. */
  static void await(Duration timeout, String what, Callable<Boolean> probe) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (probe.call()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(20);
    }
    AssertionError e = new AssertionError("timed out after " + timeout + " waiting for " + what);
    if (last != null) {
      e.initCause(last);
    }
    throw e;
  }

  /** GET {@code path} as JSON, or null on 404. */
  static JsonNode getOrNull(TestApiServer s, String path) throws Exception {
    HttpResponse<String> r = s.get(path);
    if (r.statusCode() == 404) {
      return null;
    }
    if (r.statusCode() != 200) {
      throw new AssertionError("GET " + path + ": " + r.statusCode() + " " + r.body());
    }
    return TestApiServer.json(r);
  }

  static String configMap(String name) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name
        + "\"},\"data\":{\"k\":\"v\"}}";
  }
}
