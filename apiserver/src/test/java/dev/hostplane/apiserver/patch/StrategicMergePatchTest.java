package dev.hostplane.apiserver.patch;

import static dev.hostplane.apiserver.patch.SmpCases.assertFails;
import static dev.hostplane.apiserver.patch.SmpCases.assertPatches;
import static dev.hostplane.apiserver.patch.SmpCases.error;
import static dev.hostplane.apiserver.patch.SmpCases.json;
import static dev.hostplane.apiserver.patch.SmpCases.row;
import static dev.hostplane.apiserver.patch.TestSchemas.DEPLOYMENT;
import static dev.hostplane.apiserver.patch.TestSchemas.POD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Maps, map directives, {@code $retainKeys}, untyped positions and errors of {@link StrategicMergePatch}. */
class StrategicMergePatchTest {
  private static final String META = "{'metadata':{'name':'p','labels':{'app':'web','tier':'fe'},"
      + "'annotations':{'a':'1'}}}";
  private static final String STRATEGY = "{'spec':{'replicas':1,'strategy':{'type':'RollingUpdate',"
      + "'rollingUpdate':{'maxSurge':1,'maxUnavailable':0}}}}";

  static Stream<Arguments> maps() {
    return Stream.of(
        row("adds a member", POD, META, "{'metadata':{'labels':{'env':'prod'}}}",
            "{'metadata':{'name':'p','labels':{'app':'web','tier':'fe','env':'prod'},'annotations':{'a':'1'}}}"),
        row("replaces a scalar", POD, META, "{'metadata':{'labels':{'app':'api'}}}",
            "{'metadata':{'name':'p','labels':{'app':'api','tier':'fe'},'annotations':{'a':'1'}}}"),
        row("null deletes a member", POD, META, "{'metadata':{'labels':{'tier':null},'annotations':null}}",
            "{'metadata':{'name':'p','labels':{'app':'web'}}}"),
        row("null for a missing member is dropped", POD, META, "{'metadata':{'labels':{'nope':null}}}", META),
        row("empty patch changes nothing", POD, META, "{}", META),
        row("an object replaces a scalar and a scalar an object", POD, "{'spec':{'a':'x','b':{'c':1}}}",
            "{'spec':{'a':{'y':1},'b':'z'}}", "{'spec':{'a':{'y':1},'b':'z'}}"),
        row("new values lose their null members at any depth", POD, "{}",
            "{'spec':{'securityContext':{'runAsUser':1,'fsGroup':null},"
                + "'tolerations':[{'key':'k','value':null},null]}}",
            "{'spec':{'securityContext':{'runAsUser':1},'tolerations':[{'key':'k'},null]}}"),
        row("null members of the original are kept", POD, "{'spec':{'nodeName':null}}",
            "{'spec':{'restartPolicy':'Never'}}", "{'spec':{'nodeName':null,'restartPolicy':'Never'}}"),
        row("$patch replace replaces a map", POD, META,
            "{'metadata':{'labels':{'$patch':'replace','only':'this','gone':null}}}",
            "{'metadata':{'name':'p','labels':{'only':'this'},'annotations':{'a':'1'}}}"),
        row("$patch delete leaves an empty map", POD, META, "{'metadata':{'labels':{'$patch':'delete'}}}",
            "{'metadata':{'name':'p','labels':{},'annotations':{'a':'1'}}}"),
        row("$patch delete of a missing map adds nothing", POD, "{'metadata':{'name':'p'}}",
            "{'metadata':{'labels':{'$patch':'delete','x':'y'}}}", "{'metadata':{'name':'p'}}"),
        row("$patch replace on the whole object", POD, META, "{'$patch':'replace','kind':'Pod'}", "{'kind':'Pod'}"),
        row("directive keys never reach new values", POD, "{}",
            "{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate'},"
                + "'containers':[{'name':'a','$setElementOrder/env':[{'name':'X'}],"
                + "'env':[{'name':'X','value':'1'}]},{'$patch':'delete','name':'b'}]}}",
            "{'spec':{'strategy':{'type':'Recreate'},'containers':[{'name':'a','env':[{'name':'X','value':'1'}]}]}}"),
        row("$retainKeys drops keys it does not name", DEPLOYMENT, STRATEGY,
            "{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate','rollingUpdate':null}}}",
            "{'spec':{'replicas':1,'strategy':{'type':'Recreate'}}}"),
        row("$retainKeys alone prunes the original", DEPLOYMENT, STRATEGY,
            "{'spec':{'strategy':{'$retainKeys':['type']}}}",
            "{'spec':{'replicas':1,'strategy':{'type':'RollingUpdate'}}}"),
        row("$retainKeys keeps named keys and merges into them", DEPLOYMENT, STRATEGY,
            "{'spec':{'strategy':{'$retainKeys':['type','rollingUpdate'],'rollingUpdate':{'maxSurge':2}}}}",
            "{'spec':{'replicas':1,'strategy':{'type':'RollingUpdate',"
                + "'rollingUpdate':{'maxSurge':2,'maxUnavailable':0}}}}"),
        row("$retainKeys applies where the schema has no retainKeys strategy", POD, META,
            "{'metadata':{'$retainKeys':['name'],'name':'q'}}", "{'metadata':{'name':'q'}}"),
        row("an untyped position merges objects and replaces lists", PatchSchema.UNKNOWN,
            "{'a':{'b':1,'c':[1,2]},'d':[{'name':'x','v':1}]}",
            "{'a':{'b':null,'c':[3]},'d':[{'name':'x','v':2}]}",
            "{'a':{'c':[3]},'d':[{'name':'x','v':2}]}"),
        row("a field the schema does not describe is untyped", POD,
            "{'spec':{'extra':{'list':[{'name':'a'}],'k':'v'}}}",
            "{'spec':{'extra':{'list':[{'name':'b'}]}}}",
            "{'spec':{'extra':{'list':[{'name':'b'}],'k':'v'}}}"),
        row("a $deleteFromPrimitiveList with null deletes the field (as upstream)", POD,
            "{'metadata':{'finalizers':['a','b']}}", "{'metadata':{'$deleteFromPrimitiveList/finalizers':null}}",
            "{'metadata':{}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("maps")
  void mergesMaps(String name, PatchSchema schema, String original, String patch, String expected) {
    assertPatches(schema, original, patch, expected);
  }

  static Stream<Arguments> failures() {
    String pod = "{'spec':{'containers':[{'name':'web','image':'nginx'}],'tolerations':[{'key':'k'}]},"
        + "'metadata':{'finalizers':['a']}}";
    return Stream.of(
        error("an unknown $patch on a map", POD, pod, "{'spec':{'$patch':'foo'}}", 500,
            "unknown patch type: foo in map: map[$patch:foo]"),
        error("$patch merge on a map", POD, pod, "{'metadata':{'$patch':'merge','name':'x'}}", 500,
            "unknown patch type: merge in map: map[$patch:merge name:x]"),
        error("a $patch that is not a string", POD, pod, "{'spec':{'$patch':1}}", 500,
            "unknown patch type: %!s(int64=1) in map: map[$patch:1]"),
        error("an unknown $patch in a list item", POD, pod,
            "{'spec':{'containers':[{'name':'web','$patch':'remove'}]}}", 500,
            "unknown patch type: remove in map: map[$patch:remove name:web]"),
        error("$patch merge in a list item", POD, pod, "{'spec':{'containers':[{'$patch':'merge'}]}}", 500,
            "merging lists cannot yet be specified in the patch"),
        error("a merge-list item without its merge key", POD, pod,
            "{'spec':{'containers':[{'image':'nginx:1.26'}]}}", 500,
            "map: map[image:nginx:1.26] does not contain declared merge key: name"),
        error("a delete item without its merge key", POD, pod,
            "{'spec':{'containers':[{'$patch':'delete','image':'x'}]}}", 500,
            "map: map[$patch:delete image:x] does not contain declared merge key: name"),
        error("a $setElementOrder that is not a list", POD, pod,
            "{'spec':{'$setElementOrder/containers':{'name':'web'}}}", 500,
            "expected a []interface {}, but received a map[string]interface {}"),
        error("a $setElementOrder key without a field", POD, pod, "{'spec':{'$setElementOrder':[]}}", 400,
            "invalid patch format of setElementOrder list"),
        error("a $setElementOrder list the patch list disagrees with", POD,
            "{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}",
            "{'spec':{'$setElementOrder/containers':[{'name':'a'},{'name':'b'}],"
                + "'containers':[{'name':'b','image':'x'},{'name':'a','image':'y'}]}}", 500,
            "the order in patch list:\n[map[image:x name:b] map[image:y name:a]]\n doesn't match "
                + "$setElementOrder list:\n[map[name:a] map[name:b]]"),
        error("a $setElementOrder item without the merge key", POD, pod,
            "{'spec':{'$setElementOrder/containers':[{'image':'x'}],'containers':[{'name':'web'}]}}", 500,
            "map: map[image:x] does not contain declared merge key: name"),
        error("a patch list that is not a list", POD, pod,
            "{'spec':{'$setElementOrder/containers':[{'name':'web'}],'containers':{'name':'web'}}}", 500,
            "expected a []interface {}, but received a map[string]interface {}"),
        error("a $deleteFromPrimitiveList key without a field", POD, pod,
            "{'metadata':{'$deleteFromPrimitiveList':['a']}}", 400, "invalid patch format of primitive list"),
        error("a $retainKeys that is not a list", DEPLOYMENT, STRATEGY,
            "{'spec':{'strategy':{'$retainKeys':'type'}}}", 400, "invalid patch format of retainKeys"),
        error("a key the $retainKeys list lacks", DEPLOYMENT, STRATEGY,
            "{'spec':{'strategy':{'$retainKeys':['type'],'rollingUpdate':{'maxSurge':2}}}}", 400,
            "invalid patch format of retainKeys"),
        error("items of different types", POD, pod, "{'metadata':{'finalizers':[1]}}", 500,
            "list element types are not identical: [[a] [1]]"),
        error("a list of lists", POD, "{'metadata':{'finalizers':[]}}", "{'metadata':{'finalizers':[['a']]}}", 422,
            "the server rejected our request due to an error in our request"),
        error("maps in a merge list without a merge key", TestSchemas.object("items", TestSchemas.primitiveSet()),
            "{'items':[{'a':1}]}", "{'items':[{'a':2}]}", 500,
            "cannot merge lists without merge key for string"),
        error("an empty list ordered by $setElementOrder", POD, "{'metadata':{'finalizers':[]}}",
            "{'metadata':{'$setElementOrder/finalizers':['a']}}", 500, "no elements in any of the given slices"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void failsAsUpstream(String name, PatchSchema schema, String original, String patch, int code, String message) {
    ApiException e = assertFails(schema, original, patch, code, message);
    String reason = code == 400 ? "BadRequest" : code == 422 ? "Invalid" : "";
    assertEquals(reason, e.status().reason());
  }

  @Test
  void patchesThatAreNotObjectsAreBadRequests() {
    for (String[] c : new String[][] {{"[]", "array"}, {"'x'", "string"}, {"1", "number"}, {"true", "bool"}}) {
      assertFails(POD, META, c[0], 400, "json: cannot unmarshal " + c[1]
          + " into Go value of type map[string]interface {}");
    }
  }

  @Test
  void nullPatchIsEmptyPatch() {
    ObjectNode original = (ObjectNode) json(META);
    ObjectNode viaJsonNull = StrategicMergePatch.apply(original, json("null"), POD);
    ObjectNode viaJavaNull = StrategicMergePatch.apply(original, null, POD);
    assertEquals(original, viaJsonNull);
    assertEquals(original, viaJavaNull);
    assertNotSame(original, viaJsonNull);
    SmpCases.assertSharesNothing(viaJsonNull, original);
  }

  @Test
  void newMembersComeAfterTheOriginalsInPatchOrder() {
    ObjectNode result = StrategicMergePatch.apply((ObjectNode) json("{'b':1,'a':2}"),
        json("{'d':1,'a':3,'c':2}"), PatchSchema.UNKNOWN);
    List<String> names = new ArrayList<>();
    result.fieldNames().forEachRemaining(names::add);
    assertEquals(List.of("b", "a", "d", "c"), names);
  }

  @Test
  void resultsCanBeChangedWithoutTouchingInputsAndPatchesReapply() {
    ObjectNode original = (ObjectNode) json("{'spec':{'containers':[{'name':'web','image':'a',"
        + "'env':[{'name':'X','value':'1'}]}],'volumes':[{'name':'v','emptyDir':{}}]}}");
    JsonNode patch = json("{'spec':{'containers':[{'name':'web','env':[{'name':'Y','value':'2'}]},"
        + "{'name':'side','image':'b','ports':[{'containerPort':80}]}]}}");
    JsonNode originalBefore = original.deepCopy();
    JsonNode patchBefore = patch.deepCopy();
    ObjectNode first = StrategicMergePatch.apply(original, patch, POD);
    mutateEverywhere(first);
    assertEquals(originalBefore, original);
    assertEquals(patchBefore, patch);
    ObjectNode second = StrategicMergePatch.apply(original, patch, POD);
    assertEquals(json("{'spec':{'containers':[{'name':'web','image':'a','env':[{'name':'Y','value':'2'},"
        + "{'name':'X','value':'1'}]},{'name':'side','image':'b','ports':[{'containerPort':80}]}],"
        + "'volumes':[{'name':'v','emptyDir':{}}]}}"), second);
  }

  private static void mutateEverywhere(JsonNode n) {
    if (n instanceof ObjectNode obj) {
      List<JsonNode> children = new ArrayList<>();
      obj.forEach(children::add);
      obj.put("mutated", true);
      children.forEach(StrategicMergePatchTest::mutateEverywhere);
    } else if (n != null && n.isArray()) {
      n.forEach(StrategicMergePatchTest::mutateEverywhere);
      ((com.fasterxml.jackson.databind.node.ArrayNode) n).add("mutated");
    }
  }
}
