package dev.hostplane.apiserver.apply;

import static dev.hostplane.apiserver.apply.ApplyFixtures.CONFIG_MAPS;
import static dev.hostplane.apiserver.apply.ApplyFixtures.DEPLOYMENTS;
import static dev.hostplane.apiserver.apply.ApplyFixtures.T0;
import static dev.hostplane.apiserver.apply.ApplyFixtures.T1;
import static dev.hostplane.apiserver.apply.ApplyFixtures.T2;
import static dev.hostplane.apiserver.apply.ApplyFixtures.entry;
import static dev.hostplane.apiserver.apply.ApplyFixtures.fieldsOf;
import static dev.hostplane.apiserver.apply.ApplyFixtures.json;
import static dev.hostplane.apiserver.apply.ApplyFixtures.obj;
import static dev.hostplane.apiserver.apply.ApplyFixtures.stored;
import static dev.hostplane.apiserver.apply.ApplyFixtures.v1;
import static dev.hostplane.apiserver.apply.ApplyFixtures.webDeployment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FieldManagerUpdateTest {
  private static ObjectNode configMap(String data) {
    return obj("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c','namespace':'default',"
        + "'labels':{'app':'web'}},'data':" + data + "}");
  }

  private static ObjectNode with(ObjectNode obj, String pointer, JsonNode value) {
    ObjectNode copy = obj.deepCopy();
    int slash = pointer.lastIndexOf('/');
    ((ObjectNode) copy.at(pointer.substring(0, slash))).set(pointer.substring(slash + 1), value);
    return copy;
  }

  @Test
  void createOwnsEverythingTheClientSetButIdentityMetadata() {
    ObjectNode created = CONFIG_MAPS.update(null, configMap("{'a':'1'}"), "kubectl-create", "", "v1", T0);
    assertEquals(json("[{'manager':'kubectl-create','operation':'Update','apiVersion':'v1',"
        + "'time':'2024-05-01T10:00:00Z','fieldsType':'FieldsV1','fieldsV1':"
        + "{'f:data':{'.':{},'f:a':{}},'f:metadata':{'f:labels':{'.':{},'f:app':{}}}}}]"),
        created.at("/metadata/managedFields"));
    ObjectNode without = created.deepCopy();
    ((ObjectNode) without.get("metadata")).remove("managedFields");
    assertEquals(configMap("{'a':'1'}"), without, "nothing else changes");
  }

  @Test
  void anUpdateTakesChangedFieldsFromOtherManagers() {
    ObjectNode live = stored(DEPLOYMENTS.apply(null, webDeployment(1, "nginx:1"), "kubectl", false, "apps/v1",
        T0));
    ObjectNode edited = with(live, "/spec/replicas", json("2"));
    ObjectNode after = DEPLOYMENTS.update(live, edited, "kubectl-edit", "", "apps/v1", T1);
    assertEquals(v1("{'f:spec':{'f:replicas':{}}}"), fieldsOf(after, "kubectl-edit"));
    assertEquals("2024-05-01T10:05:00Z", entry(after, "kubectl-edit").get("time").asText());
    assertFalse(fieldsOf(after, "kubectl").contains("f:replicas"));
    assertEquals("2024-05-01T10:00:00Z", entry(after, "kubectl").get("time").asText(), "losing fields is no change");
  }

  @Test
  void removedFieldsLeaveTheirOwners() {
    ObjectNode config = webDeployment(1, "nginx:1");
    ((ObjectNode) config.at("/metadata/labels")).put("tier", "front");
    ObjectNode live = stored(DEPLOYMENTS.apply(null, config, "kubectl", false, "apps/v1", T0));
    ObjectNode edited = live.deepCopy();
    ((ObjectNode) edited.at("/metadata/labels")).remove("tier");
    ObjectNode after = DEPLOYMENTS.update(live, edited, "kubectl-label", "", "apps/v1", T1);
    assertFalse(fieldsOf(after, "kubectl").contains("f:tier"));
    assertNull(entry(after, "kubectl-label"), "removing something owns nothing");
  }

  @Test
  void anUnchangedUpdateKeepsManagedFieldsAsTheyWere() {
    ObjectNode live = stored(CONFIG_MAPS.update(null, configMap("{'a':'1'}"), "kubectl-create", "", "v1", T0));
    ObjectNode after = CONFIG_MAPS.update(live, live.deepCopy(), "kubectl-replace", "", "v1", T1);
    assertEquals(live, after);
    // a client that leaves managedFields out gets the stored ones back, in their place
    ObjectNode omitted = live.deepCopy();
    ((ObjectNode) omitted.get("metadata")).remove("managedFields");
    ObjectNode again = CONFIG_MAPS.update(live, omitted, "kubectl-replace", "", "v1", T1);
    assertEquals(ApplyFixtures.compact(live), ApplyFixtures.compact(again));
  }

  @Test
  void theSameManagerAccumulatesFieldsAndItsTimeMoves() {
    ObjectNode live = stored(CONFIG_MAPS.update(null, configMap("{'a':'1'}"), "ctl", "", "v1", T0));
    ObjectNode after = CONFIG_MAPS.update(live, configMap("{'a':'1','b':'2'}"), "ctl", "", "v1", T1);
    assertEquals(v1("{'f:data':{'.':{},'f:a':{},'f:b':{}},'f:metadata':{'f:labels':{'.':{},'f:app':{}}}}"),
        fieldsOf(after, "ctl"));
    assertEquals("2024-05-01T10:05:00Z", entry(after, "ctl").get("time").asText());
    assertEquals(1, after.at("/metadata/managedFields").size());
  }

  /** What the client sends in managedFields, and which managers the result has. */
  static Stream<Arguments> clientManagedFields() {
    return Stream.of(
        Arguments.of("absent", null, List.of("ctl", "kubectl-create")),
        Arguments.of("reset", json("[]"), List.of("ctl")),
        Arguments.of("reset with one empty entry", json("[{}]"), List.of("ctl")),
        Arguments.of("invalid: the stored ones are kept", json("[{'manager':'x','operation':'Bogus',"
            + "'apiVersion':'v1','fieldsType':'FieldsV1','fieldsV1':{}}]"), List.of("ctl", "kubectl-create")),
        Arguments.of("edited by the client", json("[{'manager':'someone','operation':'Update','apiVersion':'v1',"
            + "'fieldsType':'FieldsV1','fieldsV1':{'f:data':{'f:a':{}}}}]"), List.of("ctl", "someone")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("clientManagedFields")
  void clientsMayResetOrReplaceManagedFields(String name, JsonNode sent, List<String> managers) {
    ObjectNode live = stored(CONFIG_MAPS.update(null, configMap("{'a':'1'}"), "kubectl-create", "", "v1", T0));
    ObjectNode updated = live.deepCopy();
    ((ObjectNode) updated.get("data")).put("b", "2");
    ObjectNode meta = (ObjectNode) updated.get("metadata");
    if (sent == null) {
      meta.remove("managedFields");
    } else {
      meta.set("managedFields", sent);
    }
    ObjectNode after = CONFIG_MAPS.update(live, updated, "ctl", "", "v1", T1);
    List<String> got = new ArrayList<>();
    after.at("/metadata/managedFields").forEach(e -> got.add(e.get("manager").asText()));
    got.sort(null);
    assertEquals(managers, got);
    assertEquals(v1("{'f:data':{'f:b':{}}}"), fieldsOf(after, "ctl"));
  }

  @Test
  void aStatusUpdateOwnsOnlyStatusAndKeepsTheStoredManagedFields() {
    ObjectNode live = stored(DEPLOYMENTS.apply(null, webDeployment(1, "nginx:1"), "kubectl", false, "apps/v1",
        T0));
    ObjectNode updated = with(with(live, "/status", json("{'replicas':1,'readyReplicas':1}")), "/spec/replicas",
        json("7"));
    ((ObjectNode) updated.get("metadata")).set("managedFields", json("[]"));
    ObjectNode after = DEPLOYMENTS.update(live, updated, "deployment-controller", "status", "apps/v1", T1);
    JsonNode e = entry(after, "deployment-controller");
    assertEquals("status", e.get("subresource").asText());
    assertEquals(v1("{'f:status':{'.':{},'f:readyReplicas':{},'f:replicas':{}}}"),
        fieldsOf(after, "deployment-controller"));
    assertTrue(fieldsOf(after, "kubectl").contains("f:replicas"), "spec is not taken through status");
  }

  @Test
  void aMainResourceUpdateOwnsNoStatus() {
    ObjectNode live = stored(DEPLOYMENTS.apply(null, webDeployment(1, "nginx:1"), "kubectl", false, "apps/v1",
        T0));
    ObjectNode updated = with(with(live, "/status", json("{'replicas':1}")), "/spec/paused", json("true"));
    ObjectNode after = DEPLOYMENTS.update(live, updated, "ctl", "", "apps/v1", T1);
    assertEquals(v1("{'f:spec':{'f:paused':{}}}"), fieldsOf(after, "ctl"));
  }

  @Test
  void moreThanTenUpdatersCollapseTheOldestIntoAncientChanges() {
    ObjectNode live = stored(CONFIG_MAPS.update(null, configMap("{}"), "creator", "", "v1", T0));
    for (int i = 0; i < 11; i++) {
      ObjectNode next = live.deepCopy();
      ((ObjectNode) next.get("data")).put("k" + i, "v");
      live = stored(CONFIG_MAPS.update(live, next, "writer-" + i, "", "v1", Instant.parse(
          "2024-05-01T11:00:00Z").plusSeconds(i)));
    }
    ArrayNode managed = (ArrayNode) live.at("/metadata/managedFields");
    assertEquals(10, managed.size());
    JsonNode ancient = entry(live, "ancient-changes");
    assertEquals("Update", ancient.get("operation").asText());
    // the cap runs on every write: writer-9 pushed creator and writer-0 into the bucket, writer-10 writer-1
    assertEquals(v1("{'f:data':{'.':{},'f:k0':{},'f:k1':{}},'f:metadata':{'f:labels':{'.':{},'f:app':{}}}}"),
        ApplyFixtures.compact(ancient.get("fieldsV1")));
    assertEquals("2024-05-01T11:00:01Z", ancient.get("time").asText(), "the time of the newest merged entry");
    assertNull(entry(live, "creator"));
    assertNull(entry(live, "writer-0"));
    assertNull(entry(live, "writer-1"));
  }

  @Test
  void anUnknownManagerIsCalledUnknownAndUserAgentsNameManagers() {
    ObjectNode created = CONFIG_MAPS.update(null, configMap("{'a':'1'}"), "", "", "v1", T2);
    assertEquals("unknown", created.at("/metadata/managedFields/0/manager").asText());
    assertEquals("kubectl-client-side-apply", FieldManager.managerName("kubectl-client-side-apply",
        "kubectl.1.33/v1.33.1 (linux/amd64) kubernetes/abc"));
    assertEquals("kubectl.1.33", FieldManager.managerName(null, "kubectl.1.33/v1.33.1 (linux/amd64) kubernetes/abc"));
    assertEquals("kubectl", FieldManager.managerName("", "kubectl/v1.32.0 (linux/amd64)"));
    assertEquals("ab", FieldManager.managerName(null, "a\u0001b/1"));
    assertEquals(128, FieldManager.managerName(null, "x".repeat(200)).length());
  }

  @Test
  void anObjectThatDoesNotFitTheSchemaGetsNoManagedFields() {
    ObjectNode live = stored(DEPLOYMENTS.apply(null, webDeployment(1, "nginx:1"), "kubectl", false, "apps/v1",
        T0));
    ObjectNode broken = with(live, "/spec/template/spec/containers", json("[{'image':'no-name'}]"));
    ObjectNode after = DEPLOYMENTS.update(live, broken, "ctl", "", "apps/v1", T1);
    assertTrue(after.at("/metadata/managedFields").isMissingNode());
    assertEquals(json("[{'image':'no-name'}]"), after.at("/spec/template/spec/containers"));
  }
}
