package dev.hostplane.apiserver.registry.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The HPA autoscaling/v1 <-> v2 and events.k8s.io <-> core/v1 Event conversions. */
class ConverterTest {
  private final HorizontalPodAutoscalerV1Converter hpa = new HorizontalPodAutoscalerV1Converter();
  private final EventsV1Converter events = new EventsV1Converter();

  private static final String HPA_V2 = "{apiVersion:'autoscaling/v2',kind:'HorizontalPodAutoscaler',"
      + "metadata:{name:'h',namespace:'ns',annotations:{team:'a'}},"
      + "spec:{scaleTargetRef:{apiVersion:'apps/v1',kind:'Deployment',name:'d'},minReplicas:2,maxReplicas:10,"
      + "metrics:["
      + "{type:'Resource',resource:{name:'cpu',target:{type:'Utilization',averageUtilization:60}}},"
      + "{type:'Resource',resource:{name:'memory',target:{type:'AverageValue',averageValue:'500Mi'}}},"
      + "{type:'Pods',pods:{metric:{name:'qps',selector:{matchLabels:{a:'b'}}},"
      + "target:{type:'AverageValue',averageValue:'1k'}}},"
      + "{type:'Object',object:{describedObject:{apiVersion:'networking.k8s.io/v1',kind:'Ingress',name:'i'},"
      + "metric:{name:'rps'},target:{type:'Value',value:'10k'}}},"
      + "{type:'External',external:{metric:{name:'queue'},target:{type:'AverageValue',averageValue:'30'}}},"
      + "{type:'ContainerResource',containerResource:{name:'cpu',container:'app',"
      + "target:{type:'Utilization',averageUtilization:70}}}],"
      + "behavior:{scaleDown:{stabilizationWindowSeconds:60,selectPolicy:'Min',"
      + "policies:[{type:'Pods',value:1,periodSeconds:30}]}}},"
      + "status:{currentReplicas:3,desiredReplicas:4,"
      + "currentMetrics:[{type:'Resource',resource:{name:'cpu',current:{averageUtilization:75,averageValue:'300m'}}},"
      + "{type:'Pods',pods:{metric:{name:'qps'},current:{averageValue:'900'}}}],"
      + "conditions:[{type:'AbleToScale',status:'True',reason:'ReadyForNewScale'}]}}";

  @Test
  void v1ShowsTheCpuTargetAndKeepsTheRestInAnnotations() {
    ObjectNode v1 = hpa.fromStorage(Trees.obj(HPA_V2));
    assertEquals("autoscaling/v1", v1.get("apiVersion").asText());
    assertEquals(60, v1.at("/spec/targetCPUUtilizationPercentage").asInt());
    assertEquals(75, v1.at("/status/currentCPUUtilizationPercentage").asInt());
    assertTrue(v1.at("/spec/metrics").isMissingNode());
    assertTrue(v1.at("/spec/behavior").isMissingNode());
    assertTrue(v1.at("/status/conditions").isMissingNode());
    JsonNode others = Trees.obj("{v:" + annotation(v1, HorizontalPodAutoscalerV1Converter.METRICS) + "}").get("v");
    assertEquals(5, others.size(), "every metric but the CPU utilization target");
    assertEquals(Trees.obj("{type:'Pods',pods:{metricName:'qps',selector:{matchLabels:{a:'b'}},"
        + "targetAverageValue:'1k'}}"), others.get(1));
    assertEquals(Trees.obj("{type:'Object',object:{target:{apiVersion:'networking.k8s.io/v1',kind:'Ingress',"
        + "name:'i'},metricName:'rps',targetValue:'10k'}}"), others.get(2));
    assertEquals("a", v1.at("/metadata/annotations/team").asText());
  }

  @Test
  void aV2ObjectSurvivesARoundTripThroughV1() {
    ObjectNode original = Trees.obj(HPA_V2);
    ObjectNode back = hpa.toStorage(hpa.fromStorage(original.deepCopy()));
    assertEquals("autoscaling/v2", back.get("apiVersion").asText());
    assertEquals(metricSet(original.at("/spec/metrics")), metricSet(back.at("/spec/metrics")));
    assertEquals(original.at("/spec/behavior"), back.at("/spec/behavior"));
    assertEquals(original.at("/status/currentMetrics"), back.at("/status/currentMetrics"));
    assertEquals(original.at("/status/conditions"), back.at("/status/conditions"));
    assertEquals(Trees.obj("{team:'a'}"), back.at("/metadata/annotations"), "round-trip annotations dropped");
    // Upstream puts the CPU target last after a trip through v1; everything else keeps its order.
    assertEquals(original.at("/spec/metrics/0"), back.at("/spec/metrics/5"));
  }

  @Test
  void aPlainV1ObjectBecomesACpuMetric() {
    ObjectNode v2 = hpa.toStorage(Trees.obj("{apiVersion:'autoscaling/v1',kind:'HorizontalPodAutoscaler',"
        + "metadata:{name:'h'},spec:{scaleTargetRef:{kind:'Deployment',name:'d'},maxReplicas:3,"
        + "targetCPUUtilizationPercentage:50},status:{currentReplicas:1,desiredReplicas:1,"
        + "currentCPUUtilizationPercentage:40}}"));
    assertEquals(Trees.obj("{v:[{type:'Resource',resource:{name:'cpu',target:{type:'Utilization',"
        + "averageUtilization:50}}}]}").get("v"), v2.at("/spec/metrics"));
    assertEquals(Trees.obj("{v:[{type:'Resource',resource:{name:'cpu',current:{averageUtilization:40}}}]}")
        .get("v"), v2.at("/status/currentMetrics"));
    assertTrue(v2.at("/spec/targetCPUUtilizationPercentage").isMissingNode());
    assertTrue(v2.at("/metadata/annotations").isMissingNode());
    assertEquals("", Trees.render(new HorizontalPodAutoscalerStrategy().validate(v2)));
  }

  @Test
  void aMalformedRoundTripAnnotationIsABadRequest() {
    ObjectNode v1 = Trees.obj("{metadata:{name:'h',annotations:{'autoscaling.alpha.kubernetes.io/metrics':"
        + "'not json'}},spec:{maxReplicas:3}}");
    assertEquals(400, assertThrows(ApiException.class, () -> hpa.toStorage(v1)).code());
  }

  private static final String CORE_EVENT = "{apiVersion:'v1',kind:'Event',metadata:{name:'e.1',namespace:'ns'},"
      + "involvedObject:{kind:'Pod',namespace:'ns',name:'p',uid:'u',apiVersion:'v1'},reason:'Pulled',"
      + "message:'pulled image',source:{component:'kubelet',host:'n1'},firstTimestamp:'2024-01-01T00:00:00Z',"
      + "lastTimestamp:'2024-01-01T00:01:00Z',count:3,type:'Normal',eventTime:null,"
      + "reportingComponent:'kubelet',reportingInstance:'n1',action:'Pull',"
      + "related:{kind:'Node',name:'n1'},series:{count:2,lastObservedTime:'2024-01-01T00:01:00.000000Z'}}";

  @Test
  void eventsK8sIoRenamesCoreFields() {
    ObjectNode ev = events.fromStorage(Trees.obj(CORE_EVENT));
    assertEquals("events.k8s.io/v1", ev.get("apiVersion").asText());
    assertEquals("pulled image", ev.get("note").asText());
    assertEquals("p", ev.at("/regarding/name").asText());
    assertEquals("kubelet", ev.get("reportingController").asText());
    assertEquals("n1", ev.at("/deprecatedSource/host").asText());
    assertEquals(3, ev.get("deprecatedCount").asInt());
    assertEquals("2024-01-01T00:00:00Z", ev.get("deprecatedFirstTimestamp").asText());
    assertEquals("2024-01-01T00:01:00Z", ev.get("deprecatedLastTimestamp").asText());
    for (String core : new String[] {"message", "involvedObject", "reportingComponent", "source", "count",
        "firstTimestamp", "lastTimestamp"}) {
      assertFalse(ev.has(core), core);
    }
    assertEquals("Pull", ev.get("action").asText(), "shared fields stay");
  }

  @Test
  void eventsRoundTripBothWays() {
    ObjectNode core = Trees.obj(CORE_EVENT);
    assertEquals(core, events.toStorage(events.fromStorage(core.deepCopy())));
    ObjectNode external = events.fromStorage(core.deepCopy());
    assertEquals(external, events.fromStorage(events.toStorage(external.deepCopy())));
    ObjectNode stored = events.toStorage(external.deepCopy());
    assertEquals("v1", stored.get("apiVersion").asText());
    assertEquals("Event", stored.get("kind").asText());
  }

  private static String annotation(ObjectNode obj, String key) {
    return obj.at("/metadata/annotations").get(key).asText();
  }

  private static Set<JsonNode> metricSet(JsonNode metrics) {
    Set<JsonNode> out = new HashSet<>();
    ((ArrayNode) metrics).forEach(out::add);
    return out;
  }
}
