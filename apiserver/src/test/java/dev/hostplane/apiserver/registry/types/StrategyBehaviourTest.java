package dev.hostplane.apiserver.registry.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.registry.ObjectMeta;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Behaviour beyond defaults and single validation failures: lifecycle hooks, derived fields, update rules. */
class StrategyBehaviourTest {
  private static final String C = "{name:'c',image:'nginx:1.27'}";

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{}|BestEffort",
      "{requests:{cpu:'100m'}}|Burstable",
      "{limits:{cpu:'1',memory:'1Gi'}}|Guaranteed",
      "{limits:{cpu:'1',memory:'1Gi'},requests:{cpu:'1000m',memory:'1024Mi'}}|Guaranteed",
      "{limits:{cpu:'1',memory:'1Gi'},requests:{cpu:'500m'}}|Burstable",
      "{limits:{cpu:'1'}}|Burstable",
      "{requests:{'example.com/gpu':'1'}}|BestEffort"})
  void podQosClassFollowsResources(String resources, String qos) {
    ObjectNode pod = Trees.obj("{metadata:{name:'p'},spec:{containers:[{name:'c',image:'x',resources:"
        + resources + "}]}}");
    Trees.create(new PodStrategy(), pod);
    assertEquals(qos, pod.at("/status/qosClass").asText());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{nodeName:'n1',terminationGracePeriodSeconds:45}|{}|''|45",
      "{nodeName:'n1'}|{}|5|5",
      "{nodeName:'n1'}|{}|''|30",
      "{}|{}|60|0",
      "{nodeName:'n1'}|{phase:'Succeeded'}|''|0",
      "{nodeName:'n1'}|{phase:'Failed'}|10|0",
      "{nodeName:'n1'}|{}|-3|1"})
  void podGracePeriods(String spec, String status, String requested, long expected) {
    ObjectNode pod = Trees.obj("{metadata:{name:'p'},spec:" + spec + ",status:" + status + "}");
    Long req = requested.isEmpty() ? null : Long.valueOf(requested);
    assertEquals(expected, new PodStrategy().gracePeriod(pod, req));
  }

  @Test
  void podImagesAndAddedTolerationsMayChange() {
    PodStrategy s = new PodStrategy();
    ObjectNode old = Trees.created(s, "{metadata:{name:'p'},spec:{containers:[" + C + "],"
        + "tolerations:[{key:'a',operator:'Exists'}]}}");
    ObjectNode updated = Trees.merged(old, "{spec:{containers:[{name:'c',image:'nginx:1.28',"
        + "imagePullPolicy:'IfNotPresent',terminationMessagePath:'/dev/termination-log',"
        + "terminationMessagePolicy:'File',resources:{}}],tolerations:[{key:'a',operator:'Exists'},"
        + "{key:'b',operator:'Exists'}],activeDeadlineSeconds:100}}");
    assertEquals("", Trees.render(Trees.update(s, updated, old)));
  }

  @Test
  void podSelectableFields() {
    ObjectNode pod = Trees.created(new PodStrategy(), "{metadata:{name:'p'},spec:{containers:[" + C + "]}}");
    var fields = new PodStrategy().selectableFields();
    assertEquals("Always", fields.get("spec.restartPolicy").apply(pod));
    assertEquals("false", fields.get("spec.hostNetwork").apply(pod));
    assertEquals("Pending", fields.get("status.phase").apply(pod));
    assertNull(fields.get("spec.nodeName").apply(pod));
  }

  @Test
  void namespacesCarryTheirNameLabelAndTheKubernetesFinalizer() {
    NamespaceStrategy s = new NamespaceStrategy();
    ObjectNode ns = Trees.created(s, "{metadata:{name:'team-a',labels:{'kubernetes.io/metadata.name':'x'}}}");
    assertEquals("team-a", ns.at("/metadata/labels/kubernetes.io~1metadata.name").asText());
    assertEquals(Trees.obj("{v:['kubernetes']}").get("v"), ns.at("/spec/finalizers"));
    assertEquals("Active", ns.at("/status/phase").asText());
    assertTrue(s.holdsDeletion(ns));
    s.markDeleting(ns);
    assertEquals("Terminating", ns.at("/status/phase").asText());

    ObjectNode update = Trees.merged(ns, "{spec:{finalizers:[]}}");
    assertEquals("", Trees.render(Trees.update(s, update, ns)));
    assertEquals(ns.at("/spec/finalizers"), update.at("/spec/finalizers"), "finalizers change only via finalize");
    ObjectNode finalized = Trees.merged(ns, "{spec:{finalizers:[]}}");
    assertFalse(s.holdsDeletion(finalized));
  }

  @Test
  void jobsGetAGeneratedSelectorUnlessManual() {
    JobStrategy s = new JobStrategy();
    ObjectNode job = Trees.obj("{metadata:{name:'pi',uid:'1234'},spec:{template:{spec:{restartPolicy:'Never',"
        + "containers:[" + C + "]}}}}");
    assertEquals("", Trees.render(Trees.create(s, job)));
    assertEquals("1234", job.at("/spec/selector/matchLabels/batch.kubernetes.io~1controller-uid").asText());
    assertEquals("pi", job.at("/spec/template/metadata/labels/job-name").asText());

    ObjectNode manual = Trees.obj("{metadata:{name:'pi',uid:'1234'},spec:{manualSelector:true,selector:{"
        + "matchLabels:{app:'pi'}},template:{metadata:{labels:{app:'pi'}},spec:{restartPolicy:'Never',"
        + "containers:[" + C + "]}}}}");
    assertEquals("", Trees.render(Trees.create(s, manual)));
    assertEquals(Trees.obj("{app:'pi'}"), manual.at("/spec/selector/matchLabels"));

    ObjectNode forged = Trees.obj("{metadata:{name:'pi',uid:'1234'},spec:{selector:{matchLabels:{"
        + "'batch.kubernetes.io/controller-uid':'other'}},template:{spec:{restartPolicy:'Never',containers:["
        + C + "]}}}}");
    Trees.assertCause(Trees.create(s, forged), "FieldValueInvalid", "spec.selector", "`selector` not auto-generated");
  }

  @Test
  void suspendedJobsThatNeverRanMayChangeSchedulingDirectives() {
    JobStrategy s = new JobStrategy();
    ObjectNode old = Trees.created(s, "{metadata:{name:'j',uid:'u'},spec:{suspend:true,template:{spec:{"
        + "restartPolicy:'Never',containers:[" + C + "]}}}}");
    ObjectNode updated = Trees.merged(old, "{spec:{template:{spec:{nodeSelector:{zone:'a'}}}}}");
    assertEquals("", Trees.render(Trees.update(s, updated, old)));
  }

  @Test
  void secretStringDataIsFoldedIntoData() {
    ObjectNode secret = Trees.created(new SecretStrategy(), "{metadata:{name:'s'},data:{a:'eA=='},"
        + "stringData:{a:'y',b:'z'}}");
    assertEquals("Opaque", secret.get("type").asText());
    assertFalse(secret.has("stringData"));
    assertEquals("y", decode(secret.at("/data/a").asText()));
    assertEquals("z", decode(secret.at("/data/b").asText()));
  }

  @Test
  void replicationControllersTakeSelectorAndLabelsFromTheTemplate() {
    ObjectNode rc = Trees.created(new ReplicationControllerStrategy(), "{metadata:{name:'rc'},spec:{template:{"
        + "metadata:{labels:{app:'a'}},spec:{containers:[" + C + "]}}}}");
    assertEquals(Trees.obj("{app:'a'}"), rc.at("/spec/selector"));
    assertEquals(Map.of("app", "a"), ObjectMeta.labels(rc));
    assertEquals(1, rc.at("/spec/replicas").asInt());
  }

  @Test
  void hpaBehaviorIsCompletedWhenPresent() {
    ObjectNode hpa = Trees.created(new HorizontalPodAutoscalerStrategy(), "{metadata:{name:'h'},spec:{"
        + "scaleTargetRef:{kind:'Deployment',name:'d'},maxReplicas:3,behavior:{scaleDown:{"
        + "stabilizationWindowSeconds:120}}}}");
    assertEquals(Trees.obj("{v:{stabilizationWindowSeconds:0,selectPolicy:'Max',policies:[{type:'Pods',value:4,"
        + "periodSeconds:15},{type:'Percent',value:100,periodSeconds:15}]}}").get("v"),
        hpa.at("/spec/behavior/scaleUp"));
    assertEquals(120, hpa.at("/spec/behavior/scaleDown/stabilizationWindowSeconds").asInt());
    assertEquals("Max", hpa.at("/spec/behavior/scaleDown/selectPolicy").asText());
  }

  @Test
  void crdNamesAreDefaultedAndTheStorageVersionRecorded() {
    CustomResourceDefinitionStrategy s = new CustomResourceDefinitionStrategy();
    ObjectNode crd = Trees.created(s, "{metadata:{name:'widgets.example.com'},spec:{group:'example.com',"
        + "scope:'Namespaced',names:{plural:'widgets',kind:'Widget'},versions:[{name:'v1',served:true,"
        + "storage:true,schema:{openAPIV3Schema:{type:'object'}}}]}}");
    assertEquals("WidgetList", crd.at("/spec/names/listKind").asText());
    assertEquals("widget", crd.at("/spec/names/singular").asText());
    assertEquals(Trees.obj("{v:['v1']}").get("v"), crd.at("/status/storedVersions"));
    ObjectNode v2 = Trees.merged(crd, "{spec:{versions:[{name:'v1',served:true,storage:false,schema:{"
        + "openAPIV3Schema:{type:'object'}}},{name:'v2',served:true,storage:true,schema:{openAPIV3Schema:{"
        + "type:'object'}}}]}}");
    assertEquals("", Trees.render(Trees.update(s, v2, crd)));
    assertEquals(Trees.obj("{v:['v1','v2']}").get("v"), v2.at("/status/storedVersions"));
  }

  @Test
  void statefulSetsMayScaleAndChangeTheirTemplate() {
    StatefulSetStrategy s = new StatefulSetStrategy();
    ObjectNode old = Trees.created(s, "{metadata:{name:'db'},spec:{serviceName:'db',selector:{matchLabels:{"
        + "app:'db'}},template:{metadata:{labels:{app:'db'}},spec:{containers:[{name:'c',image:'pg',"
        + "volumeMounts:[{name:'data',mountPath:'/data'}]}]}},volumeClaimTemplates:[{metadata:{name:'data'},"
        + "spec:{accessModes:['ReadWriteOnce'],resources:{requests:{storage:'1Gi'}}}}]}}");
    assertEquals("Pending", old.at("/spec/volumeClaimTemplates/0/status/phase").asText());
    ObjectNode updated = Trees.merged(old, "{spec:{replicas:3,minReadySeconds:5,"
        + "template:{metadata:{annotations:{a:'b'}}}}}");
    assertEquals("", Trees.render(Trees.update(s, updated, old)));
  }

  @Test
  void nodePodCidrIsSetOnce() {
    NodeStrategy s = new NodeStrategy();
    ObjectNode old = Trees.created(s, "{metadata:{name:'n1'},spec:{}}");
    ObjectNode assigned = Trees.merged(old, "{spec:{podCIDR:'10.244.1.0/24'}}");
    assertEquals("", Trees.render(Trees.update(s, assigned, old)));
    assertEquals("10.244.1.0/24", assigned.at("/spec/podCIDRs/0").asText());
    ObjectNode changed = Trees.merged(assigned, "{spec:{podCIDR:'10.244.2.0/24',podCIDRs:['10.244.2.0/24']}}");
    Trees.assertCause(Trees.update(s, changed, assigned), "FieldValueForbidden", "spec.podCIDRs",
        "node updates may not change podCIDR except from \"\" to valid");
  }

  @Test
  void certificateSigningRequestsAcceptARealRequestAndKeepTheirSpec() throws Exception {
    CertificateSigningRequestStrategy s = new CertificateSigningRequestStrategy();
    ObjectNode csr = Trees.created(s, "{metadata:{name:'c'},spec:{request:'" + csrPem() + "',"
        + "signerName:'kubernetes.io/kube-apiserver-client',usages:['client auth']}}");
    ObjectNode approved = Trees.merged(csr, "{spec:{usages:['server auth']},status:{conditions:[{type:'Approved',"
        + "status:'True'}]}}");
    assertEquals("", Trees.render(Trees.update(s, approved, csr)));
    assertEquals("client auth", approved.at("/spec/usages/0").asText(), "spec changes are dropped");
    ObjectNode both = Trees.merged(approved, "{status:{conditions:[{type:'Approved',status:'True'},"
        + "{type:'Denied',status:'True'}]}}");
    Trees.assertCause(Trees.update(s, both, approved), "FieldValueInvalid", "status.conditions",
        "Approved and Denied conditions are mutually exclusive");
    ObjectNode removed = Trees.merged(approved, "{status:{conditions:[]}}");
    Trees.assertCause(Trees.update(s, removed, approved), "FieldValueForbidden", "status.conditions",
        "updates may not remove a condition of type \"Approved\"");
  }

  private static String csrPem() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(256);
    KeyPair keys = gen.generateKeyPair();
    byte[] der = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=alice"), keys.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())).getEncoded();
    String pem = "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder().encodeToString(der)
        + "\n-----END CERTIFICATE REQUEST-----\n";
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
  }

  private static String decode(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }
}
