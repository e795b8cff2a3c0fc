package dev.hostplane.apiserver.registry.types;

import dev.hostplane.apiserver.api.NameRule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Validation;
import org.junit.jupiter.api.Test;

class ServiceStrategyTest {
  private final ServiceAddressAllocator ips = new ServiceAddressAllocator("10.0.0.0/24");
  private final NodePortAllocator ports = new NodePortAllocator(30000, 30009);
  private final ServiceStrategy strategy = new ServiceStrategy(ips, ports);

  @Test
  void namesAreDns1035Labels() {
    assertEquals(NameRule.DNS1035_LABEL, strategy.nameRule());
    assertTrue(strategy.returnsDeletedObject());
  }

  @Test
  void aRequestedClusterIpIsTakenAndATakenOneIsRefusedLikeUpstream() {
    ObjectNode first = Trees.created(strategy, "{metadata:{name:'a'},spec:{clusterIP:'10.0.0.5',ports:[{port:80}]}}");
    assertEquals("10.0.0.5", first.at("/spec/clusterIPs/0").asText());
    assertTrue(ips.isAllocated("10.0.0.5"));

    ObjectNode second = Trees.obj("{metadata:{name:'b'},spec:{clusterIP:'10.0.0.5',ports:[{port:80}]}}");
    strategy.applyDefaults(second);
    ApiException e = assertThrows(ApiException.class, () -> strategy.prepareForCreate(second));
    assertEquals(422, e.code());
    assertEquals("Service \"b\" is invalid: spec.clusterIPs: Invalid value: [\"10.0.0.5\"]: failed to allocate IP "
        + "10.0.0.5: provided IP is already allocated", e.getMessage());
    assertEquals("FieldValueInvalid", e.status().details().causes().get(0).reason());
  }

  @Test
  void headlessAndExternalNameServicesTakeNoAddress() {
    ObjectNode headless = Trees.created(strategy, "{metadata:{name:'h'},spec:{clusterIP:'None',selector:{a:'b'}}}");
    assertEquals("None", headless.at("/spec/clusterIPs/0").asText());
    ObjectNode external = Trees.created(strategy, "{metadata:{name:'e'},spec:{type:'ExternalName',"
        + "externalName:'db.example.com'}}");
    assertTrue(external.at("/spec/clusterIP").isMissingNode());
    assertTrue(external.at("/spec/ipFamilies").isMissingNode());
    assertEquals(253, ips.free());
  }

  @Test
  void nodePortsAreAllocatedAllOrNothing() {
    Trees.created(strategy, "{metadata:{name:'a'},spec:{type:'NodePort',ports:[{port:80,nodePort:30005}]}}");
    ObjectNode clash = Trees.obj("{metadata:{name:'b'},spec:{type:'NodePort',ports:[{name:'a',port:80},"
        + "{name:'b',port:81,nodePort:30005}]}}");
    strategy.applyDefaults(clash);
    ApiException e = assertThrows(ApiException.class, () -> strategy.prepareForCreate(clash));
    assertEquals("Service \"b\" is invalid: spec.ports[1].nodePort: Invalid value: 30005: provided port is "
        + "already allocated", e.getMessage());
    assertFalse(ports.isAllocated(30000), "the port taken for ports[0] was given back");
    assertEquals(252, ips.free(), "and so was the cluster IP (one held by service a)");
  }

  @Test
  void loadBalancerWithLocalPolicyGetsAHealthCheckPort() {
    ObjectNode lb = Trees.created(strategy, "{metadata:{name:'lb'},spec:{type:'LoadBalancer',"
        + "externalTrafficPolicy:'Local',ports:[{port:443}]}}");
    assertEquals(30000, lb.at("/spec/ports/0/nodePort").asInt());
    assertEquals(30001, lb.at("/spec/healthCheckNodePort").asInt());
    assertTrue(lb.at("/spec/allocateLoadBalancerNodePorts").asBoolean());
  }

  @Test
  void updatesKeepAllocatedValuesTheClientLeftOut() {
    ObjectNode old = Trees.created(strategy, "{metadata:{name:'a'},spec:{type:'NodePort',ports:[{name:'web',"
        + "port:80}]}}");
    ObjectNode update = Trees.obj("{metadata:{name:'a'},spec:{type:'NodePort',ports:[{name:'web',port:8080}]}}");
    assertEquals("", Trees.render(Trees.update(strategy, update, old)));
    assertEquals(old.at("/spec/clusterIP"), update.at("/spec/clusterIP"));
    assertEquals(old.at("/spec/clusterIPs"), update.at("/spec/clusterIPs"));
    assertEquals(30000, update.at("/spec/ports/0/nodePort").asInt());
    assertEquals(9, ports.free(), "no new port was taken");
  }

  @Test
  void changingTheTypeToClusterIpDropsNodePortsForRelease() {
    ObjectNode old = Trees.created(strategy, "{metadata:{name:'a'},spec:{type:'NodePort',ports:[{port:80}]}}");
    ObjectNode update = Trees.merged(old, "{spec:{type:'ClusterIP',externalTrafficPolicy:null}}");
    assertEquals("", Trees.render(Trees.update(strategy, update, old)));
    assertTrue(update.at("/spec/ports/0/nodePort").isMissingNode());
    strategy.releaseUnshared(old, update);
    assertFalse(ports.isAllocated(30000));
    assertTrue(ips.isAllocated(update.at("/spec/clusterIP").asText()), "the address is still in use");
  }

  @Test
  void releaseGivesBackEverythingAServiceHolds() {
    ObjectNode svc = Trees.created(strategy, "{metadata:{name:'a'},spec:{type:'NodePort',ports:[{name:'a',"
        + "port:80},{name:'b',port:81}]}}");
    strategy.release(svc);
    assertFalse(ips.isAllocated(svc.at("/spec/clusterIP").asText()));
    assertEquals(10, ports.free());
  }

  @Test
  void aFullRangeIsAnInternalError() {
    ServiceStrategy tiny = new ServiceStrategy(new ServiceAddressAllocator("10.0.0.0/30"), ports);
    Trees.created(tiny, "{metadata:{name:'a'},spec:{ports:[{port:80}]}}");
    ObjectNode b = Trees.obj("{metadata:{name:'b'},spec:{ports:[{port:80}]}}");
    ApiException e = assertThrows(ApiException.class, () -> tiny.prepareForCreate(b));
    assertEquals(500, e.code());
    assertEquals("Internal error occurred: failed to allocate a serviceIP: range is full", e.getMessage());
  }

  @Test
  void aClusterIpOfAnotherFamilyIsReported() {
    ObjectNode svc = Trees.obj("{metadata:{name:'a'},spec:{ipFamilies:['IPv6'],ports:[{port:80}]}}");
    Trees.assertCause(Trees.create(strategy, svc), "FieldValueInvalid", "spec.ipFamilies[0]",
        "Invalid value: \"IPv6\": not configured on this cluster");
    assertEquals(253, ips.free(), "nothing was allocated");
  }
}
