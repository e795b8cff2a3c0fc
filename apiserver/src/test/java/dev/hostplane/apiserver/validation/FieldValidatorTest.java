package dev.hostplane.apiserver.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.MediaType;
import dev.hostplane.apiserver.registry.GroupVersionKind;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FieldValidatorTest {
  private static final GroupVersionKind DEPLOYMENT = new GroupVersionKind("apps", "v1", "Deployment");
  private static final GroupVersionKind POD = new GroupVersionKind("", "v1", "Pod");

  private static Codecs.Decoded decode(String json) {
    return Codecs.readObjectStrict(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8), MediaType.JSON);
  }

  /** Bodies (single quotes for double) and the strict errors upstream reports for them, joined with "; ". */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'a'},'spec':{'replicas':1}}|",
      "{'spec':{'foo':1}}|unknown field \"spec.foo\"",
      "{'x':1,'spec':{'foo':1}}|unknown field \"x\"; unknown field \"spec.foo\"",
      "{'metadata':{'name':'a','nmae':'b'}}|unknown field \"metadata.nmae\"",
      "{'metadata':{'labels':{'any':'thing'},'annotations':{'a':'b'}}}|",
      "{'spec':{'template':{'spec':{'containers':[{'name':'a'},{'name':'b','imagee':'x'}]}}}}"
          + "|unknown field \"spec.template.spec.containers[1].imagee\"",
      "{'spec':{'template':{'spec':{'containers':[{'name':'a','ports':[{'containerPort':80,'prot':'TCP'}]}]}}}}"
          + "|unknown field \"spec.template.spec.containers[0].ports[0].prot\"",
      "{'spec':{'template':{'spec':{'containers':[{'name':'a','resources':{'limits':{'cpu':'1','memory':2}}}]}}}}|",
      "{'spec':{'selector':{'matchLabels':{'a':'b'},'matchExpression':[]}}}"
          + "|unknown field \"spec.selector.matchExpression\"",
      "{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1,'maxUnavailable':'25%'}}}}|",
      "{'spec':{'strategy':{'rollingUpdate':{'maxSurg':1}}}}|unknown field \"spec.strategy.rollingUpdate.maxSurg\"",
      "{'status':{'conditions':[{'type':'Available','reasonn':'x'}]}}"
          + "|unknown field \"status.conditions[0].reasonn\"",
  })
  void reportsUnknownFieldsWithUpstreamPaths(String body, String expected) {
    Codecs.Decoded d = decode(body);
    FieldValidator.Findings f = FieldValidator.forKind(DEPLOYMENT).inspect(d.object(), d.strictErrors());
    assertEquals(expected == null ? List.of() : List.of(expected.split("; ")), f.strictErrors());
    assertNull(f.typeError());
  }

  @Test
  void duplicatesFromTheDecoderComeFirst() {
    Codecs.Decoded d = decode("{'spec':{'replicas':1,'replicas':2,'foo':1}}");
    FieldValidator.Findings f = FieldValidator.forKind(DEPLOYMENT).inspect(d.object(), d.strictErrors());
    assertEquals(List.of("duplicate field \"spec.replicas\"", "unknown field \"spec.foo\""), f.strictErrors());
  }

  @Test
  void strictFailsWithUpstreamsBadRequest() {
    Codecs.Decoded d = decode("{'spec':{'foo':1},'x':true}");
    ApiException e = assertThrows(ApiException.class, () -> FieldValidator.forKind(DEPLOYMENT)
        .validate(d.object(), d.strictErrors(), FieldValidator.Mode.STRICT));
    assertEquals(400, e.status().code());
    assertEquals("BadRequest", e.status().reason());
    assertEquals("Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: "
        + "unknown field \"spec.foo\", unknown field \"x\"", e.status().message());
    assertTrue(d.object().path("spec").has("foo"), "Strict leaves the object alone");
  }

  @Test
  void warnReturnsTheTextsAndDropsUnknownFields() {
    Codecs.Decoded d = decode("{'spec':{'replicas':2,'foo':1,'template':{'spec':{'containers':[{'name':'a','x':1}]}}}}");
    List<String> w = FieldValidator.forKind(DEPLOYMENT).validate(d.object(), d.strictErrors(),
        FieldValidator.Mode.WARN);
    assertEquals(List.of("unknown field \"spec.foo\"", "unknown field \"spec.template.spec.containers[0].x\""), w);
    assertFalse(d.object().path("spec").has("foo"));
    assertFalse(d.object().path("spec").path("template").path("spec").path("containers").get(0).has("x"));
    assertEquals(2, d.object().path("spec").path("replicas").asInt());
  }

  @Test
  void ignoreSaysNothingButStillDrops() {
    Codecs.Decoded d = decode("{'spec':{'foo':1}}");
    assertEquals(List.of(), FieldValidator.forKind(DEPLOYMENT).validate(d.object(), d.strictErrors(),
        FieldValidator.Mode.IGNORE));
    assertFalse(d.object().path("spec").has("foo"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{'spec':{'replicas':'3'}}|json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas "
          + "of type int32",
      "{'spec':{'replicas':1.5}}|json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas"
          + " of type int32",
      "{'spec':{'replicas':3000000000}}|json: cannot unmarshal number 3000000000 into Go struct field "
          + "DeploymentSpec.spec.replicas of type int32",
      "{'metadata':{'labels':{'a':1}}}|json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels"
          + " of type string",
      "{'spec':{'template':{'spec':{'containers':{}}}}}|json: cannot unmarshal object into Go struct field "
          + "PodSpec.spec.template.spec.containers of type []v1.Container",
      "{'spec':{'template':{'spec':{'containers':['x']}}}}|json: cannot unmarshal string into Go struct field "
          + "PodSpec.spec.template.spec.containers of type v1.Container",
      "{'spec':{'paused':'yes'}}|json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused "
          + "of type bool",
      "{'spec':{'strategy':{'rollingUpdate':{'maxSurge':true}}}}|json: cannot unmarshal bool into Go struct field "
          + "RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type intstr.IntOrString",
      "{'metadata':'x'}|json: cannot unmarshal string into Go struct field Deployment.metadata of type "
          + "v1.ObjectMeta",
  })
  void typeMismatchesAreBadRequestsInGosWords(String body, String expected) {
    Codecs.Decoded d = decode(body);
    FieldValidator v = FieldValidator.forKind(DEPLOYMENT);
    assertEquals(expected, v.inspect(d.object(), d.strictErrors()).typeError());
    for (FieldValidator.Mode mode : FieldValidator.Mode.values()) {
      ApiException e = assertThrows(ApiException.class, () -> v.validate(d.object(), List.of(), mode));
      assertEquals(400, e.status().code());
      assertEquals("Deployment in version \"v1\" cannot be handled as a Deployment: " + expected,
          e.status().message());
    }
  }

  @Test
  void intOrStringAndQuantityAcceptBothForms() {
    Codecs.Decoded d = decode("{'spec':{'containers':[{'name':'a','livenessProbe':{'httpGet':{'port':8080}},"
        + "'readinessProbe':{'httpGet':{'port':'http'}},'resources':{'requests':{'cpu':0.5,'memory':'1Gi'}}}]}}");
    assertEquals(new FieldValidator.Findings(List.of(), null),
        FieldValidator.forKind(POD).inspect(d.object(), d.strictErrors()));
  }

  @Test
  void preservedAndFreeFormFieldsAcceptAnything() {
    GroupVersionKind revision = new GroupVersionKind("apps", "v1", "ControllerRevision");
    Codecs.Decoded d = decode("{'revision':1,'data':{'spec':{'anything':{'goes':[1,2]}}}}");
    assertEquals(List.of(), FieldValidator.forKind(revision).inspect(d.object(), List.of()).strictErrors());
    GroupVersionKind crd = new GroupVersionKind("apiextensions.k8s.io", "v1", "CustomResourceDefinition");
    Codecs.Decoded c = decode("{'spec':{'versions':[{'name':'v1','schema':{'openAPIV3Schema':{'type':'object',"
        + "'x-kubernetes-preserve-unknown-fields':true,'properties':{'spec':{'type':'object','default':{'a':1},"
        + "'items':{'type':'string'},'additionalProperties':false}},'bogus':1}}}]}}");
    assertEquals(List.of("unknown field \"spec.versions[0].schema.openAPIV3Schema.bogus\""),
        FieldValidator.forKind(crd).inspect(c.object(), List.of()).strictErrors());
    Codecs.Decoded m = decode("{'metadata':{'managedFields':[{'manager':'kubectl','fieldsV1':{'f:spec':{}}}]}}");
    assertEquals(List.of(), FieldValidator.forKind(POD).inspect(m.object(), List.of()).strictErrors());
  }

  @Test
  void nullIsAcceptedEverywhere() {
    Codecs.Decoded d = decode("{'metadata':null,'spec':{'replicas':null,'template':{'spec':{'containers':null}}}}");
    assertEquals(new FieldValidator.Findings(List.of(), null),
        FieldValidator.forKind(DEPLOYMENT).inspect(d.object(), List.of()));
  }

  @Test
  void kindsWithoutASchemaReportOnlyDuplicates() {
    FieldValidator v = FieldValidator.forKind(new GroupVersionKind("example.com", "v1", "Widget"));
    assertFalse(v.hasSchema());
    Codecs.Decoded d = decode("{'a':1,'a':2,'b':{}}");
    assertEquals(List.of("duplicate field \"a\""), v.validate(d.object(), d.strictErrors(), FieldValidator.Mode.WARN));
  }

  @Test
  void modeParsesTheQueryParameterWithWarnAsDefault() {
    assertEquals(FieldValidator.Mode.WARN, FieldValidator.Mode.parse(null));
    assertEquals(FieldValidator.Mode.WARN, FieldValidator.Mode.parse(""));
    assertEquals(FieldValidator.Mode.STRICT, FieldValidator.Mode.parse("Strict"));
    assertEquals(FieldValidator.Mode.IGNORE, FieldValidator.Mode.parse("Ignore"));
    assertEquals(400, assertThrows(ApiException.class, () -> FieldValidator.Mode.parse("strict")).status().code());
  }

  /** Prints the validation time of a ~10 KiB Pod (a figure, not an assertion). */
  @Test
  void measuresATenKibPod() {
    StringBuilder sb = new StringBuilder("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'big','namespace':'default',"
        + "'labels':{'app':'web','tier':'frontend'},'annotations':{'a':'b'}},'spec':{'containers':[");
    for (int c = 0; c < 12; c++) {
      sb.append(c == 0 ? "" : ",").append("{'name':'c").append(c).append("','image':'registry.example/app:1.2.3',")
          .append("'command':['/bin/app','--flag'],'ports':[{'containerPort':80,'protocol':'TCP'},")
          .append("{'containerPort':443,'name':'https'}],'env':[");
      for (int e = 0; e < 12; e++) {
        sb.append(e == 0 ? "" : ",").append("{'name':'VAR_").append(e).append("','value':'value-").append(e)
            .append("'}");
      }
      sb.append("],'resources':{'limits':{'cpu':'500m','memory':'256Mi'},'requests':{'cpu':0.1}},")
          .append("'livenessProbe':{'httpGet':{'path':'/healthz','port':8080},'periodSeconds':10},")
          .append("'volumeMounts':[{'name':'data','mountPath':'/data'}],")
          .append("'securityContext':{'runAsNonRoot':true,'capabilities':{'drop':['ALL']}}}");
    }
    sb.append("],'volumes':[{'name':'data','emptyDir':{}}],'tolerations':[{'key':'k','operator':'Exists'}]}}");
    byte[] body = sb.toString().replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    ObjectNode pod = Codecs.readObject(body, MediaType.JSON);
    FieldValidator v = FieldValidator.forKind(POD);
    assertEquals(List.of(), v.validate(pod.deepCopy(), List.of(), FieldValidator.Mode.STRICT));
    for (int i = 0; i < 20_000; i++) {
      v.validate(pod, List.of(), FieldValidator.Mode.STRICT);
    }
    int n = 50_000;
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      v.validate(pod, List.of(), FieldValidator.Mode.STRICT);
    }
    double micros = (System.nanoTime() - start) / 1000.0 / n;
    System.out.printf("FieldValidator: %d-byte Pod validated in %.2f us (mean of %d)%n", body.length, micros, n);
    assertTrue(body.length > 9_000, "the sample is about 10 KiB: " + body.length);
  }
}
