package dev.hostplane.apiserver.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestInfoParserTest {
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
      // method | path | watch | resourceRequest | verb | group | version | namespace | resource | sub | name
      "GET|/api|false|false|get|||||||",
      "GET|/apis/apps/v1|false|false|get|||||||",
      "GET|/version|false|false|get|||||||",
      "GET|/api/v1/pods|false|true|list||v1||pods||",
      "GET|/api/v1/pods|true|true|watch||v1||pods||",
      "GET|/api/v1/watch/namespaces/ns1/pods|false|true|watch||v1|ns1|pods||",
      "GET|/api/v1/namespaces|false|true|list||v1||namespaces||",
      "GET|/api/v1/namespaces/ns1|false|true|get||v1|ns1|namespaces||ns1",
      "PUT|/api/v1/namespaces/ns1/finalize|false|true|update||v1|ns1|namespaces|finalize|ns1",
      "PATCH|/api/v1/namespaces/ns1/status|false|true|patch||v1|ns1|namespaces|status|ns1",
      "GET|/api/v1/namespaces/ns1/pods|false|true|list||v1|ns1|pods||",
      "POST|/api/v1/namespaces/ns1/pods|false|true|create||v1|ns1|pods||",
      "GET|/api/v1/namespaces/ns1/pods/p1|false|true|get||v1|ns1|pods||p1",
      "DELETE|/api/v1/namespaces/ns1/pods/p1|false|true|delete||v1|ns1|pods||p1",
      "DELETE|/api/v1/namespaces/ns1/pods|false|true|deletecollection||v1|ns1|pods||",
      "PUT|/apis/apps/v1/namespaces/ns1/deployments/d/scale|false|true|update|apps|v1|ns1|deployments|scale|d",
      "GET|/apis/rbac.authorization.k8s.io/v1/clusterroles/admin|false|true|get|rbac.authorization.k8s.io|v1||clusterroles||admin",
      // A proxy path after the subresource is not part of it (upstream authorizes pods/proxy, services/proxy).
      "GET|/api/v1/namespaces/ns1/services/web:80/proxy/a/b|false|true|get||v1|ns1|services|proxy|web:80",
      "POST|/api/v1/nodes/n1/proxy/metrics|false|true|create||v1||nodes|proxy|n1",
      "POST|/api/v1/namespaces/ns1/pods/p1/exec|false|true|create||v1|ns1|pods|exec|p1",
  })
  void parsesPathsAsUpstream(String method, String path, boolean watch, boolean resourceRequest, String verb,
      String group, String version, String namespace, String resource, String sub, String name) {
    RequestInfo info = RequestInfoParser.parse(method, path,
        watch ? Map.of("watch", List.of("true")) : Map.of());
    assertEquals(resourceRequest, info.resourceRequest());
    assertEquals(verb, info.verb());
    if (resourceRequest) {
      assertEquals(nz(group), info.group());
      assertEquals(nz(version), info.version());
      assertEquals(nz(namespace), info.namespace());
      assertEquals(nz(resource), info.resource());
      assertEquals(nz(sub), info.subresource());
      assertEquals(nz(name), info.name());
    }
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
