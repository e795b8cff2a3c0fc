package dev.hostplane.apiserver.discovery;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * {@code /version}: the Kubernetes API level this server implements, in upstream's version.Info shape. The
 * {@code gitVersion} carries Hostplane's own version as build metadata.
 */
public final class Version {
  /** The Kubernetes minor version whose API this server serves. */
  public static final int KUBERNETES_MINOR = 33;
  public static final String HOSTPLANE_VERSION = "0.1.0";

  private Version() {}

  public static ObjectNode info() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("major", "1");
    n.put("minor", Integer.toString(KUBERNETES_MINOR));
    n.put("gitVersion", "v1." + KUBERNETES_MINOR + ".0+hostplane-" + HOSTPLANE_VERSION);
    n.put("gitCommit", "");
    n.put("gitTreeState", "clean");
    n.put("buildDate", "1970-01-01T00:00:00Z");
    n.put("goVersion", "java" + Runtime.version().feature());
    n.put("compiler", "javac");
    n.put("platform", System.getProperty("os.name").toLowerCase(Locale.ROOT) + "/"
        + arch(System.getProperty("os.arch")));
    return n;
  }

  private static String arch(String a) {
    return switch (a) {
      case "x86_64", "amd64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> a;
    };
  }
}
