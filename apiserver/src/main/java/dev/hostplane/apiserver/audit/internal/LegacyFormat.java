package dev.hostplane.apiserver.audit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Upstream's one-line text audit format ({@code --audit-log-format=legacy}):
 * {@code <time> AUDIT: id="..." stage="..." ip="..." method="..." user="..." groups="..." as="..." asgroups="..."
 * user-agent="..." namespace="..." uri="..." response="..."}.
 */
public final class LegacyFormat {
  private LegacyFormat() {}

  public static byte[] line(JsonNode e) {
    JsonNode user = e.path("user");
    JsonNode as = e.path("impersonatedUser");
    String ip = e.path("sourceIPs").size() > 0 ? e.path("sourceIPs").get(0).asText() : "<unknown>";
    String namespace = e.path("objectRef").path("namespace").asText("");
    String response = e.has("responseStatus") ? e.path("responseStatus").path("code").asText() : "<deferred>";
    StringBuilder sb = new StringBuilder(256);
    sb.append(e.path("stageTimestamp").asText()).append(" AUDIT: id=").append(quote(e.path("auditID").asText()))
        .append(" stage=").append(quote(e.path("stage").asText()))
        .append(" ip=").append(quote(ip))
        .append(" method=").append(quote(e.path("verb").asText()))
        .append(" user=").append(quote(user.path("username").asText()))
        .append(" groups=").append(quote(groups(user)))
        .append(" as=").append(quote(as.isObject() ? as.path("username").asText() : "<self>"))
        .append(" asgroups=").append(quote(as.isObject() ? groups(as) : "<lookup>"))
        .append(" user-agent=").append(quote(e.path("userAgent").asText("")))
        .append(" namespace=").append(quote(namespace.isEmpty() ? "<none>" : namespace))
        .append(" uri=").append(quote(e.path("requestURI").asText()))
        .append(" response=\"").append(response).append("\"\n");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String groups(JsonNode user) {
    List<String> out = new ArrayList<>();
    user.path("groups").forEach(g -> out.add(quote(g.asText())));
    return out.isEmpty() ? "<none>" : String.join(",", out);
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        default -> sb.append(c);
      }
    }
    return sb.append('"').toString();
  }
}
