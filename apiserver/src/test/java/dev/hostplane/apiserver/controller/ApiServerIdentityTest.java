package dev.hostplane.apiserver.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ApiServerIdentityTest {
  /** Expected values computed independently from upstream's recipe (length-prefixed host and component). */
  @ParameterizedTest
  @CsvSource({
      "node-1, apiserver-lgabes5ywnaqeagh5dny4zlzs4",
      "node-1:6444, apiserver-3g2vo67isqf7egtknn2op3ebdq",
      "control-plane, apiserver-6vzvajxlkf7lcarzgdc4jnyaru"})
  void idsFollowUpstreamsHash(String host, String id) {
    assertEquals(id, ApiServerIdentity.idOf(host));
  }

  @Test
  void onUpstreamsPortTheIdIsKubeApiserversAndOtherwiseThePortTellsReplicasApart() {
    assertEquals("apiserver-lgabes5ywnaqeagh5dny4zlzs4", ApiServerIdentity.of("node-1", 6443).id());
    assertEquals("apiserver-3g2vo67isqf7egtknn2op3ebdq", ApiServerIdentity.of("node-1", 6444).id());
    assertNotEquals(ApiServerIdentity.of("node-1", 40001).id(), ApiServerIdentity.of("node-1", 40002).id());
  }

  @Test
  void everyStartHoldsWithAFreshUuid() {
    ApiServerIdentity a = ApiServerIdentity.of("node-1", 6443);
    ApiServerIdentity b = ApiServerIdentity.of("node-1", 6443);
    assertEquals(a.id(), b.id(), "a restart finds its own lease");
    assertNotEquals(a.holderIdentity(), b.holderIdentity());
    assertTrue(a.holderIdentity().matches("apiserver-[a-z2-7]{26}_[0-9a-f-]{36}"), a.holderIdentity());
    assertEquals("node-1", a.hostname());
  }
}
