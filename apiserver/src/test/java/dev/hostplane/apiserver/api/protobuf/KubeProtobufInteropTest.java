package dev.hostplane.apiserver.api.protobuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.hostplane.apiserver.api.TestJson;
import io.kubernetes.client.proto.IntStr;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Resource;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Apps;
import io.kubernetes.client.proto.V1Authentication;
import io.kubernetes.client.proto.V1Authorization;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Against an independent implementation: bodies built with client-java-proto's generated classes decode to
 * upstream's JSON, and our encodings parse with the generated parsers. The kubectl cases set every field that Go's
 * generated Marshal writes (all non-pointer fields, zero or not), so the bytes are what kubectl 1.33 sends.
 */
class KubeProtobufInteropTest {
  private static final byte[] MAGIC = {0x6b, 0x38, 0x73, 0x00};

  /** {@code k8s\0} + Unknown, as Go's protobuf serializer writes it (empty contentEncoding/contentType included). */
  static byte[] envelope(String apiVersion, String kind, Message object) {
    Runtime.Unknown unknown = Runtime.Unknown.newBuilder()
        .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
        .setRaw(object.toByteString()).setContentEncoding("").setContentType("").build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(MAGIC);
    out.writeBytes(unknown.toByteArray());
    return out.toByteArray();
  }

  /** ObjectMeta as Go writes a fresh one: every plain string empty, generation 0, the zero creation time. */
  static Meta.ObjectMeta.Builder goObjectMeta(String name, String namespace) {
    return Meta.ObjectMeta.newBuilder().setName(name).setGenerateName("").setNamespace(namespace).setSelfLink("")
        .setUid("").setResourceVersion("").setGeneration(0).setCreationTimestamp(Meta.Time.newBuilder());
  }

  static Runtime.Unknown unwrap(byte[] body) throws Exception {
    assertArrayEquals(MAGIC, Arrays.copyOf(body, 4));
    return Runtime.Unknown.parseFrom(Arrays.copyOfRange(body, 4, body.length));
  }

  @Test
  void kubectlCreateConfigmapFromLiteralIsRebuiltByteForByte() throws Exception {
    // kubectl 1.33: kubectl create configmap x --from-literal=a=b (no -n, so the namespace is left empty)
    V1.ConfigMap cm = V1.ConfigMap.newBuilder().setMetadata(goObjectMeta("x", "")).putData("a", "b").build();
    byte[] body = envelope("v1", "ConfigMap", cm);
    try (java.io.InputStream in = getClass().getResourceAsStream("/protobuf/kubectl-1.33/create-configmap.pb")) {
      assertArrayEquals(in.readAllBytes(), body, "the recorded kubectl body");
    }
    assertEquals(TestJson.parse("{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"x\","
        + "\"creationTimestamp\":null},\"data\":{\"a\":\"b\"}}"), KubeProtobuf.decode(body));
  }

  @Test
  void kubectlCreateDeploymentDecodesToUpstreamJson() {
    // kubectl create deployment web --image=nginx --replicas=0: every non-pointer field is on the wire.
    V1.Container container = V1.Container.newBuilder().setName("nginx").setImage("nginx").setWorkingDir("")
        .setResources(V1.ResourceRequirements.newBuilder()).setTerminationMessagePath("")
        .setTerminationMessagePolicy("").setImagePullPolicy("").setStdin(false).setStdinOnce(false).setTty(false)
        .build();
    V1.PodSpec podSpec = V1.PodSpec.newBuilder().addContainers(container).setRestartPolicy("").setDnsPolicy("")
        .setServiceAccountName("").setServiceAccount("").setNodeName("").setHostNetwork(false).setHostPID(false)
        .setHostIPC(false).setHostname("").setSubdomain("").setSchedulerName("").setPriorityClassName("").build();
    V1Apps.Deployment d = V1Apps.Deployment.newBuilder()
        .setMetadata(goObjectMeta("web", "default").putLabels("app", "web"))
        .setSpec(V1Apps.DeploymentSpec.newBuilder().setReplicas(0)
            .setSelector(Meta.LabelSelector.newBuilder().putMatchLabels("app", "web"))
            .setTemplate(V1.PodTemplateSpec.newBuilder().setMetadata(goObjectMeta("", "").putLabels("app", "web"))
                .setSpec(podSpec))
            .setStrategy(V1Apps.DeploymentStrategy.newBuilder().setType("")).setMinReadySeconds(0)
            .setPaused(false))
        .setStatus(V1Apps.DeploymentStatus.newBuilder().setObservedGeneration(0).setReplicas(0)
            .setUpdatedReplicas(0).setReadyReplicas(0).setAvailableReplicas(0).setUnavailableReplicas(0))
        .build();
    ObjectNode json = KubeProtobuf.decode(envelope("apps/v1", "Deployment", d));
    assertEquals(TestJson.parse("""
        {"kind":"Deployment","apiVersion":"apps/v1",
         "metadata":{"name":"web","namespace":"default","creationTimestamp":null,"labels":{"app":"web"}},
         "spec":{"replicas":0,"selector":{"matchLabels":{"app":"web"}},
           "template":{"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},
             "spec":{"containers":[{"name":"nginx","image":"nginx","resources":{}}]}},
           "strategy":{}},
         "status":{}}"""), json);
  }

  @Test
  void kubectlAuthCanIDecodesToUpstreamJson() {
    // kubectl auth can-i create deployments.apps: the status is non-pointer, so Go writes allowed=false.
    V1Authorization.SelfSubjectAccessReview r = V1Authorization.SelfSubjectAccessReview.newBuilder()
        .setMetadata(goObjectMeta("", ""))
        .setSpec(V1Authorization.SelfSubjectAccessReviewSpec.newBuilder().setResourceAttributes(
            V1Authorization.ResourceAttributes.newBuilder().setNamespace("default").setVerb("create")
                .setGroup("apps").setVersion("").setResource("deployments").setSubresource("").setName("")))
        .setStatus(V1Authorization.SubjectAccessReviewStatus.newBuilder().setAllowed(false).setDenied(false)
            .setReason("").setEvaluationError(""))
        .build();
    ObjectNode json = KubeProtobuf.decode(envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview", r));
    assertEquals(TestJson.parse("{\"kind\":\"SelfSubjectAccessReview\",\"apiVersion\":\"authorization.k8s.io/v1\","
        + "\"metadata\":{\"creationTimestamp\":null},\"spec\":{\"resourceAttributes\":{\"namespace\":\"default\","
        + "\"verb\":\"create\",\"group\":\"apps\",\"resource\":\"deployments\"}},\"status\":{\"allowed\":false}}"),
        json);
  }

  @Test
  void kubectlAuthWhoamiDecodes() {
    V1Authentication.SelfSubjectReview r = V1Authentication.SelfSubjectReview.newBuilder()
        .setMetadata(goObjectMeta("", "")).setStatus(V1Authentication.SelfSubjectReviewStatus.newBuilder()
            .setUserInfo(V1Authentication.UserInfo.newBuilder().setUsername("").setUid(""))).build();
    assertEquals(TestJson.parse("{\"kind\":\"SelfSubjectReview\",\"apiVersion\":\"authentication.k8s.io/v1\","
        + "\"metadata\":{\"creationTimestamp\":null},\"status\":{\"userInfo\":{}}}"),
        KubeProtobuf.decode(envelope("authentication.k8s.io/v1", "SelfSubjectReview", r)));
  }

  @Test
  void generatedConfigMapWithEveryKindOfValueDecodes() {
    V1.ConfigMap cm = V1.ConfigMap.newBuilder()
        .setMetadata(Meta.ObjectMeta.newBuilder().setName("cfg").setNamespace("ns").setResourceVersion("7")
            .setCreationTimestamp(Meta.Time.newBuilder().setSeconds(1704067200).setNanos(999))
            .putLabels("a", "1").addFinalizers("f").setDeletionGracePeriodSeconds(0)
            .addManagedFields(Meta.ManagedFieldsEntry.newBuilder().setManager("m").setOperation("Apply")
                .setFieldsType("FieldsV1").setFieldsV1(Meta.FieldsV1.newBuilder()
                    .setRaw(ByteString.copyFromUtf8("{\"f:data\":{\"f:k\":{}}}")))))
        .putData("k", "v").putData("empty", "")
        .putBinaryData("bin", ByteString.copyFrom(new byte[] {0, 1, 2, (byte) 0xff}))
        .setImmutable(false).build();
    ObjectNode json = KubeProtobuf.decode(envelope("v1", "ConfigMap", cm));
    assertEquals(TestJson.parse("""
        {"kind":"ConfigMap","apiVersion":"v1",
         "metadata":{"name":"cfg","namespace":"ns","resourceVersion":"7",
           "creationTimestamp":"2024-01-01T00:00:00Z","deletionGracePeriodSeconds":0,"labels":{"a":"1"},
           "finalizers":["f"],"managedFields":[{"manager":"m","operation":"Apply","fieldsType":"FieldsV1",
             "fieldsV1":{"f:data":{"f:k":{}}}}]},
         "data":{"k":"v","empty":""},"binaryData":{"bin":"AAEC/w=="},"immutable":false}"""), json);
  }

  @Test
  void encodedObjectsParseWithTheGeneratedParsers() throws Exception {
    ObjectNode deployment = (ObjectNode) TestJson.parse("""
        {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","namespace":"default",
          "creationTimestamp":"2024-01-01T00:00:00Z","labels":{"b":"2","a":"1"}},
         "spec":{"replicas":0,"selector":{"matchLabels":{"app":"web"}},
           "template":{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"c","image":"i",
             "ports":[{"containerPort":8080}],"resources":{"limits":{"cpu":"500m","memory":1024}}}]}},
           "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":0}}},
         "unknownTopLevel":{"dropped":true}}""");
    Runtime.Unknown unknown = unwrap(KubeProtobuf.encode(deployment));
    assertEquals("apps/v1", unknown.getTypeMeta().getApiVersion());
    assertEquals("Deployment", unknown.getTypeMeta().getKind());
    assertTrue(unknown.hasContentEncoding() && unknown.getContentEncoding().isEmpty());
    assertTrue(unknown.hasContentType() && unknown.getContentType().isEmpty());
    V1Apps.Deployment d = V1Apps.Deployment.parseFrom(unknown.getRaw());
    assertTrue(d.getUnknownFields().asMap().isEmpty());
    assertEquals("web", d.getMetadata().getName());
    assertEquals(1704067200, d.getMetadata().getCreationTimestamp().getSeconds());
    assertTrue(d.getSpec().hasReplicas());
    assertEquals(0, d.getSpec().getReplicas());
    assertTrue(d.getSpec().getTemplate().getMetadata().hasCreationTimestamp());
    assertEquals(0, d.getSpec().getTemplate().getMetadata().getCreationTimestamp().getSerializedSize());
    IntStr.IntOrString surge = d.getSpec().getStrategy().getRollingUpdate().getMaxSurge();
    assertEquals(1, surge.getType());
    assertEquals("25%", surge.getStrVal());
    IntStr.IntOrString unavailable = d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable();
    assertEquals(0, unavailable.getType());
    assertEquals(0, unavailable.getIntVal());
    V1.Container c = d.getSpec().getTemplate().getSpec().getContainers(0);
    assertEquals(8080, c.getPorts(0).getContainerPort());
    assertEquals("500m", c.getResources().getLimitsOrThrow("cpu").getString());
    assertEquals("1024", c.getResources().getLimitsOrThrow("memory").getString());
    assertEquals(List.of("a", "b"), d.getMetadata().getLabelsMap().keySet().stream().sorted().toList());
  }

  @Test
  void encodingMatchesTheGeneratedSerializerByteForByte() throws Exception {
    // Same fields set on both sides: fields in number order, map keys sorted as Go writes them (protobuf-java
    // keeps insertion order, so the keys are inserted sorted here).
    V1.Secret s = V1.Secret.newBuilder()
        .setMetadata(Meta.ObjectMeta.newBuilder().setName("s").setNamespace("default").putLabels("a", "2")
            .putLabels("z", "1"))
        .putData("a", ByteString.copyFromUtf8("y")).putData("b", ByteString.copyFromUtf8("x")).setType("Opaque")
        .build();
    ObjectNode json = KubeProtobuf.decode(envelope("v1", "Secret", s));
    Runtime.Unknown unknown = unwrap(KubeProtobuf.encode(json));
    assertEquals(s, V1.Secret.parseFrom(unknown.getRaw()));
    assertArrayEquals(envelope("v1", "Secret", s), KubeProtobuf.encode(json));
  }

  @Test
  void watchEventFramesAreLengthPrefixedRawWatchEvents() throws Exception {
    ObjectNode pod = (ObjectNode) TestJson.parse("{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"p\","
        + "\"resourceVersion\":\"42\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}");
    byte[] frame = KubeProtobuf.encodeWatchEvent("ADDED", pod);
    int length = ByteBuffer.wrap(frame, 0, 4).getInt();
    assertEquals(frame.length - 4, length);
    Meta.WatchEvent event = Meta.WatchEvent.parseFrom(Arrays.copyOfRange(frame, 4, frame.length));
    assertEquals("ADDED", event.getType());
    byte[] raw = event.getObject().getRaw().toByteArray();
    assertArrayEquals(KubeProtobuf.encode(pod), raw);
    V1.Pod parsed = V1.Pod.parseFrom(unwrap(raw).getRaw());
    assertEquals("42", parsed.getMetadata().getResourceVersion());
    assertEquals(pod, KubeProtobuf.decode(raw));
  }

  @Test
  void errorWatchEventCarriesAStatus() throws Exception {
    ObjectNode status = (ObjectNode) TestJson.parse("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
        + "\"status\":\"Failure\",\"message\":\"too old resource version: 1 (5)\",\"reason\":\"Expired\",\"code\":410}");
    byte[] frame = KubeProtobuf.encodeWatchEvent("ERROR", status);
    Meta.WatchEvent event = Meta.WatchEvent.parseFrom(Arrays.copyOfRange(frame, 4, frame.length));
    Meta.Status s = Meta.Status.parseFrom(unwrap(event.getObject().getRaw().toByteArray()).getRaw());
    assertEquals(410, s.getCode());
    assertEquals("Expired", s.getReason());
  }

  @Test
  void nestedProtobufObjectsInRawExtensionsDecode() {
    V1.ConfigMap cm = V1.ConfigMap.newBuilder().setMetadata(Meta.ObjectMeta.newBuilder().setName("inner"))
        .putData("k", "v").build();
    V1Apps.ControllerRevision rev = V1Apps.ControllerRevision.newBuilder()
        .setMetadata(Meta.ObjectMeta.newBuilder().setName("r"))
        .setData(Runtime.RawExtension.newBuilder().setRaw(ByteString.copyFrom(envelope("v1", "ConfigMap", cm))))
        .setRevision(1).build();
    JsonNode data = KubeProtobuf.decode(envelope("apps/v1", "ControllerRevision", rev)).get("data");
    assertEquals(TestJson.parse("{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"inner\"},"
        + "\"data\":{\"k\":\"v\"}}"), data);
  }

  @Test
  void timesFollowUpstreamPrecision() {
    V1.Event e = V1.Event.newBuilder().setMetadata(Meta.ObjectMeta.newBuilder().setName("e")
            // Go's zero time.Time as Unix seconds, as a non-Go encoder may send it.
            .setCreationTimestamp(Meta.Time.newBuilder().setSeconds(-62135596800L)))
        .setFirstTimestamp(Meta.Time.newBuilder().setSeconds(1704067200).setNanos(900_000_000))
        .setEventTime(Meta.MicroTime.newBuilder().setSeconds(1704067200).setNanos(123_456_789))
        .setLastTimestamp(Meta.Time.newBuilder().setSeconds(0).setNanos(0)).build();
    ObjectNode json = KubeProtobuf.decode(envelope("v1", "Event", e));
    assertTrue(json.get("metadata").get("creationTimestamp").isNull());
    assertEquals("2024-01-01T00:00:00Z", json.get("firstTimestamp").textValue());
    assertEquals("2024-01-01T00:00:00.123456Z", json.get("eventTime").textValue());
    assertEquals("1970-01-01T00:00:00Z", json.get("lastTimestamp").textValue());
  }

  @Test
  void unknownFieldsAreSkipped() {
    V1.ConfigMap cm = V1.ConfigMap.newBuilder().setMetadata(Meta.ObjectMeta.newBuilder().setName("x"))
        .putData("a", "b").build();
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    raw.writeBytes(cm.toByteArray());
    raw.writeBytes(new byte[] {(byte) 0xf8, 0x06, 0x01}); // field 111, varint 1
    raw.writeBytes(new byte[] {(byte) 0x82, 0x07, 0x02, 'h', 'i'}); // field 112, bytes "hi"
    Runtime.Unknown unknown = Runtime.Unknown.newBuilder()
        .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion("v1").setKind("ConfigMap"))
        .setRaw(ByteString.copyFrom(raw.toByteArray())).build();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(MAGIC);
    body.writeBytes(unknown.toByteArray());
    assertEquals(TestJson.parse("{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"x\"},"
        + "\"data\":{\"a\":\"b\"}}"), KubeProtobuf.decode(body.toByteArray()));
  }

  @Test
  void quantitiesAndIntOrStringsFromGeneratedMessages() {
    V1.Service svc = V1.Service.newBuilder().setMetadata(Meta.ObjectMeta.newBuilder().setName("s"))
        .setSpec(V1.ServiceSpec.newBuilder()
            .addPorts(V1.ServicePort.newBuilder().setPort(80).setNodePort(0)
                .setTargetPort(IntStr.IntOrString.newBuilder().setType(0).setIntVal(8080).setStrVal("")))
            .addPorts(V1.ServicePort.newBuilder().setPort(443)
                .setTargetPort(IntStr.IntOrString.newBuilder().setType(1).setIntVal(0).setStrVal("https"))))
        .build();
    ObjectNode json = KubeProtobuf.decode(envelope("v1", "Service", svc));
    assertEquals(TestJson.parse("[{\"port\":80,\"targetPort\":8080},{\"port\":443,\"targetPort\":\"https\"}]"),
        json.get("spec").get("ports"));
    V1.ResourceRequirements rr = V1.ResourceRequirements.newBuilder()
        .putRequests("cpu", Resource.Quantity.newBuilder().setString("250m").build()).build();
    V1.Pod pod = V1.Pod.newBuilder().setSpec(V1.PodSpec.newBuilder().addContainers(
        V1.Container.newBuilder().setName("c").setResources(rr))).build();
    assertEquals("250m", KubeProtobuf.decode(envelope("v1", "Pod", pod)).at("/spec/containers/0/resources/requests/cpu")
        .textValue());
  }
}
