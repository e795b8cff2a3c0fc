package dev.hostplane.apiserver.api.protobuf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.TestJson;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Request bodies recorded from real kubectl 1.33 (see {@code protobuf/kubectl-1.33/README.md}) decode to exactly the
 * JSON that {@code kubectl create ... --dry-run=client -o json} prints for the same command, i.e. upstream's JSON of
 * the object kubectl built; and that JSON survives our own encoding.
 */
class KubectlBodiesTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      create-configmap | {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x","creationTimestamp":null},"data":{"a":"b"}}
      auth-can-i | {"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"resourceAttributes":{"namespace":"default","verb":"create","resource":"deployments.apps"}},"status":{"allowed":false}}
      create-deployment | {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","creationTimestamp":null,"labels":{"app":"web"}},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx","resources":{}}]}},"strategy":{}},"status":{}}
      create-service-clusterip | {"kind":"Service","apiVersion":"v1","metadata":{"name":"svc","creationTimestamp":null,"labels":{"app":"svc"}},"spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080}],"selector":{"app":"svc"},"type":"ClusterIP"},"status":{"loadBalancer":{}}}
      create-secret-generic | {"kind":"Secret","apiVersion":"v1","metadata":{"name":"s","creationTimestamp":null},"data":{"k":"dg=="}}
      create-namespace | {"kind":"Namespace","apiVersion":"v1","metadata":{"name":"team","creationTimestamp":null},"spec":{},"status":{}}
      auth-whoami | {"kind":"SelfSubjectReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},"status":{"userInfo":{}}}
      """)
  void recordedBodyDecodesToUpstreamJson(String name, String json) throws IOException {
    byte[] body;
    try (InputStream in = getClass().getResourceAsStream("/protobuf/kubectl-1.33/" + name + ".pb")) {
      body = in.readAllBytes();
    }
    ObjectNode decoded = KubeProtobuf.decode(body);
    assertEquals(List.of(), JsonDiff.paths(TestJson.parse(json), decoded));
    assertEquals(decoded, KubeProtobuf.decode(KubeProtobuf.encode(decoded)));
  }
}
