package dev.hostplane.apiserver.apply;

import static dev.hostplane.apiserver.apply.ApplyFixtures.CONFIG_MAPS;
import static dev.hostplane.apiserver.apply.ApplyFixtures.DEPLOYMENTS;
import static dev.hostplane.apiserver.apply.ApplyFixtures.SERVICES;
import static dev.hostplane.apiserver.apply.ApplyFixtures.T0;
import static dev.hostplane.apiserver.apply.ApplyFixtures.T1;
import static dev.hostplane.apiserver.apply.ApplyFixtures.T2;
import static dev.hostplane.apiserver.apply.ApplyFixtures.compact;
import static dev.hostplane.apiserver.apply.ApplyFixtures.deployment;
import static dev.hostplane.apiserver.apply.ApplyFixtures.entry;
import static dev.hostplane.apiserver.apply.ApplyFixtures.fieldsOf;
import static dev.hostplane.apiserver.apply.ApplyFixtures.json;
import static dev.hostplane.apiserver.apply.ApplyFixtures.obj;
import static dev.hostplane.apiserver.apply.ApplyFixtures.stored;
import static dev.hostplane.apiserver.apply.ApplyFixtures.v1;
import static dev.hostplane.apiserver.apply.ApplyFixtures.webDeployment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.patch.PatchSchema;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FieldManagerApplyTest {
  private static final String WEB_FIELDS = v1("{'f:metadata':{'f:labels':{'f:app':{}}},'f:spec':{'f:replicas':{},"
      + "'f:selector':{},'f:template':{'f:metadata':{'f:labels':{'f:app':{}}},'f:spec':{'f:containers':"
      + "{'k:{\\'name\\':\\'web\\'}':{'.':{},'f:image':{},'f:name':{}}}}}}}");

  private static ObjectNode apply(ObjectNode live, ObjectNode config, String manager) {
    return DEPLOYMENTS.apply(live, config, manager, false, "apps/v1", T0);
  }

  private static ApiException conflict(ObjectNode live, ObjectNode config, String manager) {
    return assertThrows(ApiException.class, () -> apply(live, config, manager));
  }

  @Test
  void applyCreatesTheObjectAndOwnsWhatItSet() {
    ObjectNode config = webDeployment(1, "nginx:1");
    ObjectNode created = apply(null, config, "kubectl");
    ObjectNode withoutManaged = created.deepCopy();
    ((ObjectNode) withoutManaged.get("metadata")).remove("managedFields");
    assertEquals(config, withoutManaged);
    JsonNode e = entry(created, "kubectl");
    assertEquals(json("{'manager':'kubectl','operation':'Apply','apiVersion':'apps/v1',"
        + "'time':'2024-05-01T10:00:00Z','fieldsType':'FieldsV1'}"), without(e, "fieldsV1"));
    assertEquals(WEB_FIELDS, compact(e.get("fieldsV1")));
    assertEquals(1, created.path("metadata").path("managedFields").size());
  }

  @Test
  void reapplyingTheSameConfigChangesNothing() {
    ObjectNode live = stored(apply(null, webDeployment(1, "nginx:1"), "kubectl"));
    ObjectNode again = DEPLOYMENTS.apply(live, webDeployment(1, "nginx:1"), "kubectl", false, "apps/v1", T1);
    assertEquals(live, again);
    assertEquals(compact(live), compact(again), "same bytes, so no new resourceVersion is needed");
  }

  @Test
  void timestampsComeFromTheGivenInstantAndMoveOnlyWithChanges() {
    ObjectNode live = stored(DEPLOYMENTS.apply(null, webDeployment(1, "nginx:1"), "kubectl", false, "apps/v1", T0));
    ObjectNode changed = DEPLOYMENTS.apply(live, webDeployment(2, "nginx:1"), "kubectl", false, "apps/v1", T1);
    assertEquals("2024-05-01T10:05:00Z", entry(changed, "kubectl").get("time").asText());
    ObjectNode same = DEPLOYMENTS.apply(changed, webDeployment(2, "nginx:1"), "kubectl", false, "apps/v1", T2);
    assertEquals("2024-05-01T10:05:00Z", entry(same, "kubectl").get("time").asText());
  }

  @Test
  void anotherManagerSettingADifferentValueConflicts() {
    ObjectNode live = stored(apply(null, webDeployment(1, "nginx:1"), "mgr-a"));
    ApiException e = conflict(live, deployment("{'replicas':2}"), "mgr-b");
    Status s = e.status();
    assertEquals(409, s.code());
    assertEquals("Conflict", s.reason());
    assertEquals("Apply failed with 1 conflict: conflict with \"mgr-a\": .spec.replicas", s.message());
    assertEquals(List.of(new Status.Cause("FieldManagerConflict", "conflict with \"mgr-a\"", ".spec.replicas")),
        s.details().causes());
  }

  @Test
  void conflictsWithSeveralManagersAreListedPerManager() {
    ObjectNode live = stored(apply(null, webDeployment(1, "nginx:1"), "mgr-a"));
    ObjectNode edited = webDeployment(1, "nginx:2");
    edited.set("metadata", live.get("metadata").deepCopy());
    ObjectNode afterEdit = DEPLOYMENTS.update(live, edited, "kubectl-edit", "", "apps/v1", T1);
    ApiException e = conflict(afterEdit, deployment("{'replicas':3,'template':{'spec':{'containers':"
        + "[{'name':'web','image':'nginx:3'}]}}}"), "mgr-b");
    assertEquals("Apply failed with 2 conflicts: conflicts with \"kubectl-edit\" using apps/v1:\n"
        + "- .spec.template.spec.containers[name=\"web\"].image\n"
        + "conflicts with \"mgr-a\":\n"
        + "- .spec.replicas", e.getMessage());
    assertEquals(List.of(
        new Status.Cause("FieldManagerConflict", "conflict with \"kubectl-edit\" using apps/v1",
            ".spec.template.spec.containers[name=\"web\"].image"),
        new Status.Cause("FieldManagerConflict", "conflict with \"mgr-a\"", ".spec.replicas")),
        e.status().details().causes());
  }

  @Test
  void settingTheSameValueSharesOwnership() {
    ObjectNode live = stored(apply(null, webDeployment(1, "nginx:1"), "mgr-a"));
    ObjectNode shared = apply(live, deployment("{'replicas':1}"), "mgr-b");
    assertEquals(v1("{'f:spec':{'f:replicas':{}}}"), fieldsOf(shared, "mgr-b"));
    assertEquals(WEB_FIELDS, fieldsOf(shared, "mgr-a"));
    // and both now conflict with a change
    ApiException e = conflict(stored(shared), deployment("{'replicas':5}"), "mgr-c");
    assertEquals(2, e.status().details().causes().size());
  }

  @Test
  void forceTakesOwnershipFromTheOthers() {
    ObjectNode live = stored(apply(null, webDeployment(1, "nginx:1"), "mgr-a"));
    ObjectNode forced = DEPLOYMENTS.apply(live, deployment("{'replicas':2}"), "mgr-b", true, "apps/v1", T1);
    assertEquals(2, forced.path("spec").path("replicas").asInt());
    assertEquals(v1("{'f:spec':{'f:replicas':{}}}"), fieldsOf(forced, "mgr-b"));
    assertEquals(v1("{'f:metadata':{'f:labels':{'f:app':{}}},'f:spec':{'f:selector':{},'f:template':"
        + "{'f:metadata':{'f:labels':{'f:app':{}}},'f:spec':{'f:containers':{'k:{\\'name\\':\\'web\\'}':"
        + "{'.':{},'f:image':{},'f:name':{}}}}}}}"), fieldsOf(forced, "mgr-a"));
    // mgr-a applying its old value again now conflicts with mgr-b
    ApiException e = conflict(stored(forced), webDeployment(1, "nginx:1"), "mgr-a");
    assertEquals("Apply failed with 1 conflict: conflict with \"mgr-b\": .spec.replicas", e.getMessage());
  }

  @Test
  void aFieldDroppedFromTheConfigGoesWhenSolelyOwnedAndStaysWhenShared() {
    ObjectNode withTier = webDeployment(1, "nginx:1");
    ((ObjectNode) withTier.at("/metadata/labels")).put("tier", "front");
    ObjectNode live = stored(apply(null, withTier, "mgr-a"));

    ObjectNode dropped = apply(live, webDeployment(1, "nginx:1"), "mgr-a");
    assertEquals(json("{'app':'web'}"), dropped.at("/metadata/labels"));

    ObjectNode sharer = obj("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web',"
        + "'labels':{'tier':'front'}}}");
    ObjectNode shared = stored(apply(live, sharer, "mgr-b"));
    ObjectNode kept = apply(shared, webDeployment(1, "nginx:1"), "mgr-a");
    assertEquals(json("{'app':'web','tier':'front'}"), kept.at("/metadata/labels"));
    assertEquals(v1("{'f:metadata':{'f:labels':{'f:tier':{}}}}"), fieldsOf(kept, "mgr-b"));
  }

  @Test
  void aFieldSharedWithAnUpdaterSurvivesTheApplierDroppingIt() {
    ObjectNode live = stored(apply(null, webDeployment(3, "nginx:1"), "kubectl"));
    ObjectNode scaled = live.deepCopy();
    ((ObjectNode) scaled.get("spec")).put("replicas", 5);
    ObjectNode afterScale = stored(DEPLOYMENTS.update(live, scaled, "kubectl-scale", "", "apps/v1", T1));
    // kubectl catches up with the scale: same value, so the field is shared
    ObjectNode shared = stored(apply(afterScale, webDeployment(5, "nginx:1"), "kubectl"));
    assertEquals(WEB_FIELDS, fieldsOf(shared, "kubectl"));
    ObjectNode config = webDeployment(5, "nginx:1");
    ((ObjectNode) config.get("spec")).remove("replicas");
    ObjectNode applied = apply(shared, config, "kubectl");
    assertEquals(5, applied.at("/spec/replicas").asInt());
    assertEquals(v1("{'f:spec':{'f:replicas':{}}}"), fieldsOf(applied, "kubectl-scale"));
  }

  /** kubectl scale (an update, on the main resource or the scale subresource), then apply. */
  static Stream<Arguments> scaleThenApply() {
    return Stream.of(
        Arguments.of("", "Apply failed with 1 conflict: conflict with \"kubectl-scale\" using apps/v1: "
            + ".spec.replicas"),
        Arguments.of("scale", "Apply failed with 1 conflict: conflict with \"kubectl-scale\" with subresource "
            + "\"scale\" using apps/v1: .spec.replicas"));
  }

  @ParameterizedTest
  @MethodSource("scaleThenApply")
  void anUpdateTakesOwnershipAndTheNextApplyConflicts(String subresource, String message) {
    ObjectNode live = stored(apply(null, webDeployment(1, "nginx:1"), "kubectl"));
    ObjectNode scaled = live.deepCopy();
    ((ObjectNode) scaled.get("spec")).put("replicas", 3);
    ObjectNode afterScale = stored(DEPLOYMENTS.update(live, scaled, "kubectl-scale", subresource, "apps/v1", T1));
    JsonNode scaleEntry = entry(afterScale, "kubectl-scale");
    assertEquals("Update", scaleEntry.get("operation").asText());
    assertEquals(subresource, scaleEntry.path("subresource").asText(""));
    ApiException e = conflict(afterScale, webDeployment(1, "nginx:1"), "kubectl");
    assertEquals(message, e.getMessage());
  }

  @Test
  void listMapItemsGoWhenNoLongerApplied() {
    String two = "{'template':{'spec':{'containers':[{'name':'web','image':'nginx:1'},"
        + "{'name':'sidecar','image':'envoy:1'}]}}}";
    String one = "{'template':{'spec':{'containers':[{'name':'web','image':'nginx:1'}]}}}";
    ObjectNode live = stored(apply(null, deployment(two), "mgr-a"));
    ObjectNode after = apply(live, deployment(one), "mgr-a");
    assertEquals(json("[{'name':'web','image':'nginx:1'}]"), after.at("/spec/template/spec/containers"));
    assertEquals(v1("{'f:spec':{'f:template':{'f:spec':{'f:containers':{'k:{\\'name\\':\\'web\\'}':"
        + "{'.':{},'f:image':{},'f:name':{}}}}}}}"), fieldsOf(after, "mgr-a"));

    // another applier of the sidecar keeps it alive
    String sidecar = "{'template':{'spec':{'containers':[{'name':'sidecar','image':'envoy:1'}]}}}";
    ObjectNode shared = stored(apply(live, deployment(sidecar), "mgr-b"));
    ObjectNode kept = apply(shared, deployment(one), "mgr-a");
    assertEquals(json("[{'name':'web','image':'nginx:1'},{'name':'sidecar','image':'envoy:1'}]"),
        kept.at("/spec/template/spec/containers"));
  }

  @Test
  void listMapItemsMergeInTheConfigsOrderKeepingOthersInPlace() {
    ObjectNode live = stored(apply(null, deployment("{'template':{'spec':{'containers':["
        + "{'name':'a','image':'1'},{'name':'b','image':'1'},{'name':'c','image':'1'}]}}}"), "mgr-a"));
    ObjectNode after = apply(live, deployment("{'template':{'spec':{'containers':["
        + "{'name':'c','image':'1'},{'name':'d','image':'1'}]}}}"), "mgr-b");
    assertEquals(json("[{'name':'a','image':'1'},{'name':'b','image':'1'},{'name':'c','image':'1'},"
        + "{'name':'d','image':'1'}]"), after.at("/spec/template/spec/containers"));
  }

  @Test
  void atomicListsAreReplacedAndOwnedAsAWhole() {
    ObjectNode live = stored(apply(null, deployment("{'template':{'spec':{'containers':"
        + "[{'name':'web','args':['a','b']}]}}}"), "mgr-a"));
    assertEquals(v1("{'f:spec':{'f:template':{'f:spec':{'f:containers':{'k:{\\'name\\':\\'web\\'}':"
        + "{'.':{},'f:args':{},'f:name':{}}}}}}}"), fieldsOf(live, "mgr-a"));
    ObjectNode replaced = apply(live, deployment("{'template':{'spec':{'containers':"
        + "[{'name':'web','args':['c']}]}}}"), "mgr-a");
    assertEquals(json("['c']"), replaced.at("/spec/template/spec/containers/0/args"));
    ApiException e = conflict(stored(replaced), deployment("{'template':{'spec':{'containers':"
        + "[{'name':'web','args':['c','d']}]}}}"), "mgr-b");
    assertEquals("Apply failed with 1 conflict: conflict with \"mgr-a\": "
        + ".spec.template.spec.containers[name=\"web\"].args", e.getMessage());
  }

  @Test
  void atomicMapsAreOwnedAsAWhole() {
    ObjectNode live = stored(apply(null, deployment("{'selector':{'matchLabels':{'app':'web'}}}"), "mgr-a"));
    ApiException e = conflict(live, deployment("{'selector':{'matchLabels':{'app':'web','x':'y'}}}"), "mgr-b");
    assertEquals("Apply failed with 1 conflict: conflict with \"mgr-a\": .spec.selector", e.getMessage());
  }

  @Test
  void setsMergeByValue() {
    ObjectNode a = obj("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c','finalizers':['x/a']}}");
    ObjectNode b = obj("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c','finalizers':['x/b']}}");
    ObjectNode live = stored(CONFIG_MAPS.apply(null, a, "mgr-a", false, "v1", T0));
    ObjectNode both = stored(CONFIG_MAPS.apply(live, b, "mgr-b", false, "v1", T0));
    assertEquals(json("['x/a','x/b']"), both.at("/metadata/finalizers"));
    assertEquals(v1("{'f:metadata':{'f:finalizers':{'v:\\'x/a\\'':{}}}}"), fieldsOf(both, "mgr-a"));
    ObjectNode none = obj("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c'},'data':{'k':'v'}}");
    ObjectNode after = CONFIG_MAPS.apply(both, none, "mgr-a", false, "v1", T1);
    assertEquals(json("['x/b']"), after.at("/metadata/finalizers"));
  }

  @Test
  void mapEntriesAreOwnedOneByOne() {
    ObjectNode a = obj("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c'},'data':{'a':'1'}}");
    ObjectNode b = obj("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c'},'data':{'b':'2'}}");
    ObjectNode live = stored(CONFIG_MAPS.apply(null, a, "mgr-a", false, "v1", T0));
    ObjectNode both = CONFIG_MAPS.apply(live, b, "mgr-b", false, "v1", T1);
    assertEquals(json("{'a':'1','b':'2'}"), both.get("data"));
    assertEquals(v1("{'f:data':{'f:a':{}}}"), fieldsOf(both, "mgr-a"));
    assertEquals(v1("{'f:data':{'f:b':{}}}"), fieldsOf(both, "mgr-b"));
  }

  @Test
  void listMapKeysTakeTheirDefaultsAndServicePortsAreKeyedByPortAndProtocol() {
    ObjectNode ports = deployment("{'template':{'spec':{'containers':[{'name':'web','ports':"
        + "[{'containerPort':80}]}]}}}");
    ObjectNode created = apply(null, ports, "mgr-a");
    assertEquals(v1("{'f:spec':{'f:template':{'f:spec':{'f:containers':{'k:{\\'name\\':\\'web\\'}':"
        + "{'.':{},'f:name':{},'f:ports':{'k:{\\'containerPort\\':80,\\'protocol\\':\\'TCP\\'}':"
        + "{'.':{},'f:containerPort':{}}}}}}}}}"), fieldsOf(created, "mgr-a"));

    ObjectNode dns = obj("{'apiVersion':'v1','kind':'Service','metadata':{'name':'dns'},'spec':{'ports':["
        + "{'port':53,'protocol':'UDP'},{'port':53,'protocol':'TCP'}]}}");
    ObjectNode live = stored(SERVICES.apply(null, dns, "mgr-a", false, "v1", T0));
    ObjectNode http = obj("{'apiVersion':'v1','kind':'Service','metadata':{'name':'dns'},'spec':{'ports':["
        + "{'port':80,'protocol':'TCP','targetPort':8080}]}}");
    ObjectNode three = stored(SERVICES.apply(live, http, "mgr-b", false, "v1", T0));
    assertEquals(3, three.at("/spec/ports").size());
    ObjectNode tcpOnly = obj("{'apiVersion':'v1','kind':'Service','metadata':{'name':'dns'},'spec':{'ports':["
        + "{'port':53,'protocol':'TCP'}]}}");
    ObjectNode after = SERVICES.apply(three, tcpOnly, "mgr-a", false, "v1", T1);
    assertEquals(json("[{'port':53,'protocol':'TCP'},{'port':80,'protocol':'TCP','targetPort':8080}]"),
        after.at("/spec/ports"));
  }

  @Test
  void listsWithOnlyAPatchMergeKeyAreKeyedByIt() {
    ObjectNode created = apply(null, deployment("{'template':{'spec':{'containers':[{'name':'web',"
        + "'volumeMounts':[{'name':'data','mountPath':'/data'}]}]}}}"), "mgr-a");
    assertEquals(v1("{'f:spec':{'f:template':{'f:spec':{'f:containers':{'k:{\\'name\\':\\'web\\'}':"
        + "{'.':{},'f:name':{},'f:volumeMounts':{'k:{\\'mountPath\\':\\'/data\\'}':"
        + "{'.':{},'f:mountPath':{},'f:name':{}}}}}}}}}"), fieldsOf(created, "mgr-a"));
  }

  @Test
  void theStatusSubresourceOwnsOnlyStatusAndTheMainResourceNoStatus() {
    ObjectNode withStatus = webDeployment(1, "nginx:1");
    withStatus.set("status", json("{'replicas':1}"));
    ObjectNode live = stored(apply(null, withStatus, "kubectl"));
    assertEquals(WEB_FIELDS, fieldsOf(live, "kubectl"), "status is not owned through the main resource");

    ObjectNode status = obj("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},"
        + "'spec':{'replicas':9},'status':{'replicas':1,'readyReplicas':1}}");
    ObjectNode after = DEPLOYMENTS.apply(live, status, "deployment-controller", "status", false, "apps/v1", T1);
    JsonNode e = entry(after, "deployment-controller");
    assertEquals("status", e.get("subresource").asText());
    assertEquals("Apply", e.get("operation").asText());
    assertEquals(v1("{'f:status':{'f:readyReplicas':{},'f:replicas':{}}}"), compact(e.get("fieldsV1")));
  }

  static Stream<Arguments> badConfigs() {
    return Stream.of(
        Arguments.of("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','managedFields':[]}}",
            400, "metadata.managedFields must be nil"),
        Arguments.of("{'apiVersion':'apps/v1','kind':'ReplicaSet','metadata':{'name':'web'}}",
            400, "invalid object type: apps/v1, Kind=ReplicaSet"),
        Arguments.of("{'apiVersion':'apps/v1beta1','kind':'Deployment','metadata':{'name':'web'}}",
            400, "invalid object type: apps/v1beta1, Kind=Deployment"),
        Arguments.of("{'metadata':{'name':'web'}}", 400, "invalid object type: /, Kind="),
        Arguments.of("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','namespace':'default'},"
            + "'spec':{'template':{'spec':{'containers':[{'image':'nginx'}]}}}}", 500,
            "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): "
                + ".spec.template.spec.containers: element 0: associative list with keys has an element that "
                + "omits key field \"name\" (and doesn't have default value)"),
        Arguments.of("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','namespace':'default'},"
            + "'spec':{'template':{'spec':{'containers':[{'name':'a'},{'name':'a'}]}}}}", 500,
            "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): "
                + ".spec.template.spec.containers: duplicate entries for key [name=\"a\"]"));
  }

  @ParameterizedTest
  @MethodSource("badConfigs")
  void badConfigsAreRefusedAsUpstreamRefusesThem(String config, int code, String message) {
    ApiException e = assertThrows(ApiException.class, () -> apply(null, obj(config), "kubectl"));
    assertEquals(code, e.code());
    assertEquals(message, e.getMessage());
  }

  @Test
  void kubectlTakesOverFieldsItsLastAppliedConfigurationStillMatches() {
    // created by client-side apply: one Update entry owning everything, and the annotation
    ObjectNode csa = webDeployment(1, "nginx:1");
    ((ObjectNode) csa.get("metadata")).putObject("annotations").put(
        "kubectl.kubernetes.io/last-applied-configuration", compact(webDeployment(1, "nginx:1")));
    ObjectNode live = stored(DEPLOYMENTS.update(null, csa, "kubectl-client-side-apply", "", "apps/v1", T0));

    ObjectNode ssa = DEPLOYMENTS.apply(live, webDeployment(1, "nginx:2"), "kubectl", false, "apps/v1", T1);
    assertEquals("nginx:2", ssa.at("/spec/template/spec/containers/0/image").asText());
    assertEquals(compact(webDeploymentSortedJson("nginx:2")),
        ssa.at("/metadata/annotations").get("kubectl.kubernetes.io/last-applied-configuration").asText());

    // another manager name gets the conflict
    ApiException e = assertThrows(ApiException.class,
        () -> DEPLOYMENTS.apply(live, webDeployment(1, "nginx:2"), "other", false, "apps/v1", T1));
    assertEquals(".spec.template.spec.containers[name=\"web\"].image",
        e.status().details().causes().get(0).field());

    // a value that no longer matches the annotation is still a conflict
    ObjectNode scaled = live.deepCopy();
    ((ObjectNode) scaled.get("spec")).put("replicas", 4);
    ObjectNode afterScale = stored(DEPLOYMENTS.update(live, scaled, "kubectl-client-side-apply", "", "apps/v1",
        T1));
    ApiException stillConflicting = assertThrows(ApiException.class,
        () -> DEPLOYMENTS.apply(afterScale, webDeployment(1, "nginx:1"), "kubectl", false, "apps/v1", T2));
    assertEquals("Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: "
        + ".spec.replicas", stillConflicting.getMessage());
  }

  private static JsonNode webDeploymentSortedJson(String image) {
    return json("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'labels':{'app':'web'},'name':'web',"
        + "'namespace':'default'},'spec':{'replicas':1,'selector':{'matchLabels':{'app':'web'}},'template':"
        + "{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'image':'" + image + "','name':'web'}]}}}}");
  }

  @Test
  void droppingTheLastFieldOfAStructRemovesTheStructButNotUnownedNeighbours() {
    ObjectNode live = stored(apply(null, deployment("{'strategy':{'rollingUpdate':{'maxSurge':1}},"
        + "'template':{'spec':{'containers':[{'name':'web','image':'nginx:1'}]}}}"), "mgr-a"));
    ((ObjectNode) live.get("spec")).put("revisionHistoryLimit", 10); // a default nobody owns
    ObjectNode after = apply(live, deployment("{'template':{'spec':{'containers':"
        + "[{'name':'web','image':'nginx:1'}]}}}"), "mgr-a");
    assertNull(after.get("spec").get("strategy"));
    assertEquals(10, after.at("/spec/revisionHistoryLimit").asInt());
  }

  @Test
  void withoutASchemaObjectsAreGranularAndListsAtomic() {
    FieldManager untyped = new FieldManager(PatchSchema.UNKNOWN, "Widget", false);
    ObjectNode config = obj("{'apiVersion':'example.com/v1','kind':'Widget','metadata':{'name':'w'},"
        + "'spec':{'size':1,'items':[{'name':'a'}]}}");
    ObjectNode created = untyped.apply(null, config, "mgr-a", false, "example.com/v1", T0);
    assertEquals(v1("{'f:spec':{'.':{},'f:items':{},'f:size':{}}}"), fieldsOf(created, "mgr-a"));
    ObjectNode other = obj("{'apiVersion':'example.com/v1','kind':'Widget','metadata':{'name':'w'},"
        + "'spec':{'items':[{'name':'b'}]}}");
    ApiException e = assertThrows(ApiException.class,
        () -> untyped.apply(stored(created), other, "mgr-b", false, "example.com/v1", T1));
    assertEquals("Apply failed with 1 conflict: conflict with \"mgr-a\": .spec.items", e.getMessage());
  }

  @Test
  void theNameIsCheckedAgainstTheUrlAsUpstreamChecksPatchResults() {
    ApiException missing = assertThrows(ApiException.class, () -> FieldManager.checkName(obj("{'metadata':{}}"),
        "web"));
    assertEquals("the name of the object (web based on URL) was undeterminable: name must be provided",
        missing.getMessage());
    ApiException other = assertThrows(ApiException.class,
        () -> FieldManager.checkName(obj("{'metadata':{'name':'api'}}"), "web"));
    assertEquals("the name of the object (api) does not match the name on the URL (web)", other.getMessage());
    FieldManager.checkName(obj("{'metadata':{'name':'web'}}"), "web");
  }

  @Test
  void applyingOnlyIdentityFieldsLeavesNoEntry() {
    ObjectNode live = stored(apply(null, webDeployment(1, "nginx:1"), "mgr-a"));
    ObjectNode after = apply(live, obj("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'}}"),
        "mgr-b");
    assertNull(entry(after, "mgr-b"));
    assertEquals(live, after);
  }

  private static JsonNode without(JsonNode e, String field) {
    ObjectNode copy = e.deepCopy();
    copy.remove(field);
    return copy;
  }
}
