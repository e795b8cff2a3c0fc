package dev.hostplane.apiserver.patch;

import static dev.hostplane.apiserver.patch.SmpCases.assertPatches;
import static dev.hostplane.apiserver.patch.SmpCases.row;
import static dev.hostplane.apiserver.patch.TestSchemas.POD;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Lists: merge by key, list directives, primitive sets, replaced lists, nested lists and the order rules (patch
 * order for the items the patch names, live order for the rest, {@code $setElementOrder} above both).
 */
class StrategicMergePatchListTest {
  private static final String WEB = "{'name':'web','image':'nginx','ports':[{'containerPort':80}],"
      + "'env':[{'name':'A','value':'1'},{'name':'B','value':'2'}]}";
  private static final String SIDE = "{'name':'side','image':'envoy'}";
  private static final String TWO = "{'spec':{'containers':[" + WEB + "," + SIDE + "]}}";

  private static String containers(String... items) {
    return "{'spec':{'containers':[" + String.join(",", items) + "]}}";
  }

  private static String names(String list, String... names) {
    StringBuilder sb = new StringBuilder("{'spec':{'" + list + "':[");
    for (int i = 0; i < names.length; i++) {
      sb.append(i > 0 ? "," : "").append("{'name':'").append(names[i]).append("'}");
    }
    return sb.append("]}}").toString();
  }

  private static String finalizers(String list) {
    return "{'metadata':{'finalizers':" + list + "}}";
  }

  static Stream<Arguments> mergeLists() {
    return Stream.of(
        row("merges a patch item into the item with its key", POD, TWO,
            containers("{'name':'web','image':'nginx:1.26'}"),
            containers(WEB.replace("'nginx'", "'nginx:1.26'"), SIDE)),
        row("a new item goes before the server-only items it is compared with", POD, TWO,
            containers("{'name':'log','image':'busybox'}"),
            containers("{'name':'log','image':'busybox'}", WEB, SIDE)),
        row("$patch delete removes the item", POD, TWO, containers("{'$patch':'delete','name':'side'}"),
            containers(WEB)),
        row("$patch delete of a missing item changes nothing", POD, TWO,
            containers("{'$patch':'delete','name':'nope'}"), TWO),
        row("$patch delete removes every item with the key", POD,
            names("containers", "a", "a", "b", "c", "c"),
            containers("{'name':'a','$patch':'delete'}", "{'name':'c','$patch':'delete'}"),
            names("containers", "b")),
        row("a $patch replace item makes the other items the list", POD, TWO,
            containers("{'$patch':'replace'}", "{'name':'only','image':'x'}"),
            containers("{'name':'only','image':'x'}")),
        row("a lone $patch replace item empties the list", POD, TWO, containers("{'$patch':'replace'}"),
            "{'spec':{'containers':[]}}"),
        row("the patch order wins for the items it names", POD, names("containers", "1", "2", "3"),
            containers("{'name':'3','image':'c'}", "{'name':'1','image':'a'}"),
            containers("{'name':'2'}", "{'name':'3','image':'c'}", "{'name':'1','image':'a'}")),
        row("two patch items with one new key merge into one item", POD, containers(SIDE),
            containers("{'name':'x','image':'a','args':null}", "{'name':'x','ports':[{'containerPort':9}]}"),
            containers("{'name':'x','image':'a','ports':[{'containerPort':9}]}", SIDE)),
        row("nested lists merge: a port is added", POD, TWO,
            containers("{'name':'web','ports':[{'containerPort':443,'name':'https'}]}"),
            containers(WEB.replace("[{'containerPort':80}]", "[{'containerPort':443,'name':'https'},"
                + "{'containerPort':80}]"), SIDE)),
        row("nested lists merge: a port merges by its number", POD, TWO,
            containers("{'name':'web','ports':[{'containerPort':80,'protocol':'TCP'}]}"),
            containers(WEB.replace("{'containerPort':80}", "{'containerPort':80,'protocol':'TCP'}"), SIDE)),
        row("nested lists merge: an env var changes in place", POD, TWO,
            containers("{'name':'web','env':[{'name':'B','value':'3'}]}"),
            containers(WEB.replace("'value':'2'", "'value':'3'"), SIDE)),
        row("nested lists merge: an env var is deleted", POD, TWO,
            containers("{'name':'web','env':[{'$patch':'delete','name':'A'}]}"),
            containers(WEB.replace("{'name':'A','value':'1'},", ""), SIDE)),
        row("nested maps in items: $patch delete inside an item", POD,
            containers("{'name':'web','securityContext':{'runAsUser':1}}"),
            containers("{'name':'web','securityContext':{'$patch':'delete'}}"),
            containers("{'name':'web','securityContext':{}}")),
        row("volumeMounts merge by mountPath", POD,
            containers("{'name':'web','volumeMounts':[{'name':'a','mountPath':'/a'}]}"),
            containers("{'name':'web','volumeMounts':[{'name':'b','mountPath':'/a','readOnly':true}]}"),
            containers("{'name':'web','volumeMounts':[{'name':'b','mountPath':'/a','readOnly':true}]}")),
        row("a list without a strategy is replaced", POD,
            "{'spec':{'tolerations':[{'key':'a'}],'containers':[{'name':'web','args':['x','y']}]}}",
            "{'spec':{'tolerations':[{'key':'b','value':null}],'containers':[{'name':'web','args':['z']}]}}",
            "{'spec':{'tolerations':[{'key':'b'}],'containers':[{'name':'web','args':['z']}]}}"),
        row("a $patch replace item in a replaced list is dropped", POD, "{'spec':{'tolerations':[{'key':'a'}]}}",
            "{'spec':{'tolerations':[{'$patch':'replace'},{'key':'b'}]}}", "{'spec':{'tolerations':[{'key':'b'}]}}"),
        row("volumes: $retainKeys switches the volume source", POD,
            "{'spec':{'volumes':[{'name':'cfg','configMap':{'name':'app'}},{'name':'tmp','emptyDir':{}}]}}",
            "{'spec':{'volumes':[{'$retainKeys':['name','secret'],'name':'cfg','configMap':null,"
                + "'secret':{'secretName':'app'}}]}}",
            "{'spec':{'volumes':[{'name':'cfg','secret':{'secretName':'app'}},{'name':'tmp','emptyDir':{}}]}}"),
        row("imagePullSecrets merge by name", POD, "{'spec':{'imagePullSecrets':[{'name':'a'}]}}",
            "{'spec':{'imagePullSecrets':[{'name':'a'},{'name':'b'}]}}",
            "{'spec':{'imagePullSecrets':[{'name':'a'},{'name':'b'}]}}"),
        row("ownerReferences merge by uid", POD,
            "{'metadata':{'ownerReferences':[{'uid':'1','name':'rs-a','kind':'ReplicaSet'}]}}",
            "{'metadata':{'ownerReferences':[{'uid':'1','controller':true},{'uid':'2','name':'b'}]}}",
            "{'metadata':{'ownerReferences':[{'uid':'1','name':'rs-a','kind':'ReplicaSet','controller':true},"
                + "{'uid':'2','name':'b'}]}}"),
        row("status conditions merge by type", POD,
            "{'status':{'conditions':[{'type':'Ready','status':'False'},{'type':'Scheduled','status':'True'}]}}",
            "{'status':{'$setElementOrder/conditions':[{'type':'Ready'},{'type':'Scheduled'}],"
                + "'conditions':[{'type':'Ready','status':'True'}]}}",
            "{'status':{'conditions':[{'type':'Ready','status':'True'},{'type':'Scheduled','status':'True'}]}}"),
        row("initContainers merge like containers", POD, "{'spec':{'initContainers':[{'name':'init','image':'a'}]}}",
            "{'spec':{'initContainers':[{'name':'init','image':'b'}]}}",
            "{'spec':{'initContainers':[{'name':'init','image':'b'}]}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mergeLists")
  void mergesLists(String name, PatchSchema schema, String original, String patch, String expected) {
    assertPatches(schema, original, patch, expected);
  }

  static Stream<Arguments> primitiveLists() {
    return Stream.of(
        row("a union: patch items in patch order, the rest interleaved", POD, finalizers("['a','b']"),
            finalizers("['c','a']"), finalizers("['c','a','b']")),
        row("a union has no duplicates", POD, finalizers("['a','b']"), finalizers("['b','b']"),
            finalizers("['a','b']")),
        row("$deleteFromPrimitiveList removes every equal value", POD, finalizers("['a','b','a']"),
            "{'metadata':{'$deleteFromPrimitiveList/finalizers':['a','z']}}", finalizers("['b']")),
        row("$deleteFromPrimitiveList on a missing list adds nothing", POD, "{'metadata':{'name':'p'}}",
            "{'metadata':{'$deleteFromPrimitiveList/finalizers':['a']}}", "{'metadata':{'name':'p'}}"),
        row("add, delete and order in one patch", POD, finalizers("['a','b','c']"),
            "{'metadata':{'$setElementOrder/finalizers':['a','b','d'],'$deleteFromPrimitiveList/finalizers':['c'],"
                + "'finalizers':['d']}}",
            finalizers("['a','b','d']")),
        row("$setElementOrder keeps server-only values near their place", POD, finalizers("['a','b','c','d']"),
            "{'metadata':{'$setElementOrder/finalizers':['a','b'],'$deleteFromPrimitiveList/finalizers':['c']}}",
            finalizers("['a','b','d']")),
        row("$setElementOrder values the list lacks are ignored", POD, finalizers("['a','c']"),
            "{'metadata':{'$setElementOrder/finalizers':['c','b','a']}}", finalizers("['c','a']")),
        row("node podCIDRs merge as a set", TestSchemas.NODE,
            "{'spec':{'podCIDRs':['10.0.0.0/24']},'status':{'capacity':{'cpu':'2'}}}",
            "{'spec':{'podCIDRs':['10.0.1.0/24']}}",
            "{'spec':{'podCIDRs':['10.0.1.0/24','10.0.0.0/24']},'status':{'capacity':{'cpu':'2'}}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("primitiveLists")
  void mergesPrimitiveLists(String name, PatchSchema schema, String original, String patch, String expected) {
    assertPatches(schema, original, patch, expected);
  }

  static Stream<Arguments> elementOrder() {
    return Stream.of(
        row("reorders without changing contents", POD, names("containers", "a", "b", "c"),
            "{'spec':{'$setElementOrder/containers':[{'name':'c'},{'name':'a'},{'name':'b'}]}}",
            names("containers", "c", "a", "b")),
        row("items it does not name keep their place among the others", POD, names("containers", "a", "b", "c"),
            "{'spec':{'$setElementOrder/containers':[{'name':'c'},{'name':'a'}]}}",
            names("containers", "b", "c", "a")),
        row("items it names that the list lacks are ignored", POD, names("containers", "1", "3"),
            "{'spec':{'$setElementOrder/containers':[{'name':'3'},{'name':'2'},{'name':'1'}],"
                + "'containers':[{'name':'3','image':'c'},{'name':'1','image':'a'}]}}",
            containers("{'name':'3','image':'c'}", "{'name':'1','image':'a'}")),
        row("new items take the place it gives them", POD,
            containers("{'name':'1','image':'x'}", "{'name':'2','image':'y'}"),
            "{'spec':{'$setElementOrder/containers':[{'name':'4'},{'name':'1'},{'name':'2'},{'name':'3'}],"
                + "'containers':[{'name':'4','image':'d'},{'name':'3','image':'c'}]}}",
            containers("{'name':'4','image':'d'}", "{'name':'1','image':'x'}", "{'name':'2','image':'y'}",
                "{'name':'3','image':'c'}")),
        // Upstream deletes and appends in the live list's backing array, which the reordering then reads as the
        // server order: "new" sits where "old" was shifted out, after "injected", so "injected" goes first.
        row("a deletion and an addition with a server-only item (upstream's aliasing)", POD,
            names("containers", "web", "old", "injected"),
            "{'spec':{'$setElementOrder/containers':[{'name':'new'},{'name':'web'}],"
                + "'containers':[{'name':'new'},{'$patch':'delete','name':'old'}]}}",
            names("containers", "injected", "new", "web")),
        row("a list the original lacks comes in its order, directive items dropped", POD, "{'spec':{}}",
            "{'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'a'}],"
                + "'containers':[{'name':'b'},{'name':'a'},{'$patch':'delete','name':'z'}]}}",
            names("containers", "b", "a")),
        row("a list neither side has stays absent", POD, "{'spec':{}}",
            "{'spec':{'$setElementOrder/containers':[{'name':'a'}]}}", "{'spec':{}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("elementOrder")
  void ordersBySetElementOrder(String name, PatchSchema schema, String original, String patch, String expected) {
    assertPatches(schema, original, patch, expected);
  }
}
