package dev.hostplane.apiserver.patch;

import static dev.hostplane.apiserver.patch.SmpCases.assertPatches;
import static dev.hostplane.apiserver.patch.SmpCases.row;
import static dev.hostplane.apiserver.patch.TestSchemas.DEPLOYMENT;
import static dev.hostplane.apiserver.patch.TestSchemas.NODE;
import static dev.hostplane.apiserver.patch.TestSchemas.SERVICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Codecs;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The strategic merge patches kubectl sends, applied to the objects it sends them for. */
class StrategicMergePatchKubectlTest {
  private static final String DEPLOY = compact("""
      {'apiVersion':'apps/v1','kind':'Deployment',
       'metadata':{'name':'web','namespace':'default','uid':'u1','resourceVersion':'100','generation':1,
         'labels':{'app':'web','tier':'fe'},
         'annotations':{'deployment.kubernetes.io/revision':'1',
           'kubectl.kubernetes.io/last-applied-configuration':'{}'}},
       'spec':{'replicas':2,'selector':{'matchLabels':{'app':'web'}},
         'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':'25%','maxUnavailable':'25%'}},
         'template':{'metadata':{'labels':{'app':'web'}},
           'spec':{'containers':[
               {'name':'web','image':'nginx:1.25','ports':[{'containerPort':80,'protocol':'TCP'}],
                'env':[{'name':'A','value':'1'},{'name':'B','value':'2'}]},
               {'name':'old','image':'busybox','args':['sleep','1d']}],
             'volumes':[{'name':'cfg','configMap':{'name':'web'}}],
             'restartPolicy':'Always'}}},
       'status':{'replicas':2,'observedGeneration':1}}""");

  /** A fixture without line breaks and indentation, so edits can match across lines. */
  private static String compact(String json) {
    return json.replaceAll("\\n\\s*", "");
  }

  /** DEPLOY with its text edited: each pair is (old text, new text). */
  private static String deploy(String... edits) {
    String s = DEPLOY;
    for (int i = 0; i < edits.length; i += 2) {
      if (!s.contains(edits[i])) {
        throw new IllegalArgumentException("not in the fixture: " + edits[i]);
      }
      s = s.replace(edits[i], edits[i + 1]);
    }
    return s;
  }

  private static final String NODE_OBJ = compact("""
      {'apiVersion':'v1','kind':'Node','metadata':{'name':'n1','labels':{'kubernetes.io/hostname':'n1'}},
       'spec':{'podCIDR':'10.244.1.0/24','podCIDRs':['10.244.1.0/24'],
         'taints':[{'key':'node.kubernetes.io/not-ready','effect':'NoSchedule'}]},
       'status':{'capacity':{'cpu':'2'},'addresses':[{'type':'InternalIP','address':'10.0.0.1'}]}}""");

  private static final String SVC = compact("""
      {'apiVersion':'v1','kind':'Service','metadata':{'name':'web'},
       'spec':{'type':'ClusterIP','clusterIP':'10.96.0.10','selector':{'app':'web'},
         'ports':[{'name':'http','port':80,'targetPort':8080,'protocol':'TCP'}]}}""");

  static Stream<Arguments> kubectl() {
    return Stream.of(
        row("kubectl set image deployment/web web=nginx:1.26", DEPLOYMENT, DEPLOY, """
            {'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'web'},{'name':'old'}],
              'containers':[{'image':'nginx:1.26','name':'web'}]}}}}""",
            deploy("nginx:1.25", "nginx:1.26")),
        row("kubectl rollout restart", DEPLOYMENT, DEPLOY, """
            {'spec':{'template':{'metadata':{'annotations':
              {'kubectl.kubernetes.io/restartedAt':'2026-01-02T03:04:05Z'}}}}}""",
            deploy("'template':{'metadata':{'labels':{'app':'web'}}",
                "'template':{'metadata':{'labels':{'app':'web'},"
                    + "'annotations':{'kubectl.kubernetes.io/restartedAt':'2026-01-02T03:04:05Z'}}")),
        row("kubectl label / annotate: null deletes", DEPLOYMENT, DEPLOY, """
            {'metadata':{'labels':{'tier':null,'env':'prod'},
              'annotations':{'deployment.kubernetes.io/revision':null}}}""",
            deploy("'tier':'fe'", "'env':'prod'", "'deployment.kubernetes.io/revision':'1',", "")),
        row("kubectl apply: env changed, container and env var deleted, strategy switched", DEPLOYMENT, DEPLOY, """
            {'metadata':{'annotations':{'kubectl.kubernetes.io/last-applied-configuration':'{new}'},
               'labels':{'tier':null}},
             'spec':{'replicas':3,
               'strategy':{'$retainKeys':['type'],'rollingUpdate':null,'type':'Recreate'},
               'template':{'spec':{'$setElementOrder/containers':[{'name':'web'}],
                 'containers':[
                   {'$setElementOrder/env':[{'name':'B'},{'name':'C'}],
                    'env':[{'name':'B','value':'3'},{'name':'C','value':'4'},{'$patch':'delete','name':'A'}],
                    'name':'web'},
                   {'$patch':'delete','name':'old'}]}}}}""",
            deploy("'{}'", "'{new}'", ",'tier':'fe'", "", "'replicas':2,'selector'", "'replicas':3,'selector'",
                "'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':'25%','maxUnavailable':'25%'}}",
                "'strategy':{'type':'Recreate'}",
                "{'name':'A','value':'1'},{'name':'B','value':'2'}",
                "{'name':'B','value':'3'},{'name':'C','value':'4'}",
                ",{'name':'old','image':'busybox','args':['sleep','1d']}", "")),
        row("kubectl apply: a container added before an existing one", DEPLOYMENT, DEPLOY, """
            {'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'init'},{'name':'web'},{'name':'old'}],
              'containers':[{'image':'alpine','name':'init'}]}}}}""",
            deploy("'containers':[", "'containers':[{'name':'init','image':'alpine'},")),
        row("kubectl apply: a volume switched from configMap to secret", DEPLOYMENT, DEPLOY, """
            {'spec':{'template':{'spec':{'$setElementOrder/volumes':[{'name':'cfg'}],
              'volumes':[{'$retainKeys':['name','secret'],'configMap':null,'name':'cfg',
                'secret':{'secretName':'web'}}]}}}}""",
            deploy("{'name':'cfg','configMap':{'name':'web'}}", "{'name':'cfg','secret':{'secretName':'web'}}")),
        row("kubectl edit: replicas and an env var removed", DEPLOYMENT, DEPLOY, """
            {'spec':{'replicas':4,'template':{'spec':{'$setElementOrder/containers':[{'name':'web'},{'name':'old'}],
              'containers':[{'$setElementOrder/env':[{'name':'A'}],'env':[{'$patch':'delete','name':'B'}],
                'name':'web'}]}}}}""",
            deploy("'replicas':2,'selector'", "'replicas':4,'selector'", ",{'name':'B','value':'2'}", "")),
        row("kubectl edit: args of one container replaced", DEPLOYMENT, DEPLOY, """
            {'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'web'},{'name':'old'}],
              'containers':[{'args':['sleep','2d'],'name':'old'}]}}}}""",
            deploy("'1d'", "'2d'")),
        row("kubectl cordon", NODE, NODE_OBJ, "{'spec':{'unschedulable':true}}",
            NODE_OBJ.replace("'spec':{", "'spec':{'unschedulable':true,")),
        row("kubectl taint: the whole new list replaces the old", NODE, NODE_OBJ, """
            {'spec':{'taints':[{'effect':'NoSchedule','key':'node.kubernetes.io/not-ready'},
              {'effect':'NoSchedule','key':'dedicated','value':'gpu'}]}}""",
            NODE_OBJ.replace("'effect':'NoSchedule'}]", "'effect':'NoSchedule'},"
                + "{'effect':'NoSchedule','key':'dedicated','value':'gpu'}]")),
        row("kubectl taint ...-: the last taint removed", NODE, NODE_OBJ, "{'spec':{'taints':null}}",
            NODE_OBJ.replace(",'taints':[{'key':'node.kubernetes.io/not-ready','effect':'NoSchedule'}]", "")),
        row("node status: an address merged by type", NODE, NODE_OBJ, """
            {'status':{'$setElementOrder/addresses':[{'type':'InternalIP'},{'type':'Hostname'}],
              'addresses':[{'address':'n1','type':'Hostname'}]}}""",
            NODE_OBJ.replace("'address':'10.0.0.1'}]", "'address':'10.0.0.1'},{'type':'Hostname','address':'n1'}]")),
        row("service: a port added by port number", SERVICE, SVC, """
            {'spec':{'$setElementOrder/ports':[{'port':80},{'port':443}],
              'ports':[{'name':'https','port':443,'protocol':'TCP','targetPort':8443}]}}""",
            SVC.replace("'protocol':'TCP'}]", "'protocol':'TCP'},"
                + "{'name':'https','port':443,'protocol':'TCP','targetPort':8443}]")),
        row("service: a port deleted by port number", SERVICE, SVC, """
            {'spec':{'$setElementOrder/ports':[],'ports':[{'$patch':'delete','port':80}]}}""",
            SVC.replace("[{'name':'http','port':80,'targetPort':8080,'protocol':'TCP'}]", "[]")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kubectl")
  void appliesKubectlPatches(String name, PatchSchema schema, String original, String patch, String expected) {
    assertPatches(schema, original, patch, expected);
  }

  /** The benchmark's Pod and patches: the Pod is about 10 KiB and each patch does what it claims. */
  @Test
  void benchmarkPatchesDoWhatTheyClaim() throws Exception {
    ObjectNode pod = PodFixtures.pod();
    int size = Codecs.mapper().writeValueAsBytes(pod).length;
    assertTrue(size > 9 * 1024 && size < 11 * 1024, "pod size " + size);

    ObjectNode image = StrategicMergePatch.apply(pod, PodFixtures.setImagePatch(), TestSchemas.POD);
    ObjectNode expected = pod.deepCopy();
    ((ObjectNode) expected.at("/spec/containers/1")).put("image", "registry.example.com/shop/c1:1.5.0");
    assertEquals(expected, image);

    ObjectNode applied = StrategicMergePatch.apply(pod, PodFixtures.applyPatch(), TestSchemas.POD);
    assertEquals("checkout", applied.at("/metadata/labels/team").asText());
    assertTrue(applied.at("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration").isTextual());
    JsonNode env = applied.at("/spec/containers/0/env");
    assertEquals(PodFixtures.ENV_PER_CONTAINER - 1, env.size());
    assertEquals("changed", env.get(2).get("value").asText());
    for (JsonNode e : env) {
      assertNotEquals("ENV_5", e.get("name").asText());
    }
    assertEquals(pod.at("/spec/containers/1"), applied.at("/spec/containers/1"));
    assertEquals(SmpCases.json("{'name':'config','secret':{'secretName':'web-config'}}"),
        applied.at("/spec/volumes/0"));
    assertEquals(pod.at("/status"), applied.at("/status"));
  }
}
