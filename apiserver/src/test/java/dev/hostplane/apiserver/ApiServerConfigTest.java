package dev.hostplane.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.config.Flags;
import dev.hostplane.apiserver.controller.EndpointReconciler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The replica-related flags: defaults, ranges and upstream's messages. */
class ApiServerConfigTest {
  private static ApiServerConfig parse(String... args) {
    Flags f = ApiServerConfig.flags();
    List<String> all = new ArrayList<>(List.of("--advertise-address=192.0.2.10"));
    all.addAll(List.of(args));
    f.parse(all);
    return ApiServerConfig.from(f);
  }

  @Test
  void defaultsAreUpstreams() {
    ApiServerConfig c = parse();
    assertEquals(0.0, c.goawayChance());
    assertEquals(0, c.advertisePort());
    assertEquals(EndpointReconciler.Options.DEFAULT, c.endpointReconciler());
    assertEquals(Duration.ofSeconds(3600), c.identityLease().leaseDuration());
    assertEquals(Duration.ofSeconds(10), c.identityLease().renewInterval());
    assertEquals(Duration.ofSeconds(3600), c.identityLease().gcInterval(), "collected every lease duration");
  }

  @ParameterizedTest
  @CsvSource({
      "0.03, --goaway-chance can not be less than 0 or greater than 0.02",
      "-0.001, --goaway-chance can not be less than 0 or greater than 0.02",
      "often, invalid argument \"often\" for \"--goaway-chance\" flag: not a number"})
  void goawayChanceOutsideUpstreamsRangeIsRefused(String value, String message) {
    Flags.FlagException e = assertThrows(Flags.FlagException.class, () -> parse("--goaway-chance=" + value));
    assertEquals(message, e.getMessage());
  }

  @Test
  void goawayChanceWithinTheRangeIsKept() {
    assertEquals(0.02, parse("--goaway-chance=0.02").goawayChance());
    assertEquals(0.001, parse("--goaway-chance=.001").goawayChance());
  }

  @Test
  void endpointReconcilerTypesAreLeaseAndNone() {
    assertEquals(EndpointReconciler.Type.NONE, parse("--endpoint-reconciler-type=none").endpointReconciler()
        .type());
    Flags.FlagException e = assertThrows(Flags.FlagException.class,
        () -> parse("--endpoint-reconciler-type=master-count"));
    assertEquals("--endpoint-reconciler-type must be one of lease, none; got \"master-count\"", e.getMessage());
    assertThrows(Flags.FlagException.class, () -> parse("--endpoint-reconciler-interval=20s",
        "--endpoint-reconciler-lease-ttl=15s"), "a lease must outlive the interval that refreshes it");
  }

  @Test
  void identityLeaseTuningIsCheckedAndTheCollectorFollowsTheDuration() {
    ApiServerConfig c = parse("--identity-lease-duration-seconds=30", "--identity-lease-renew-interval-seconds=2");
    assertEquals(Duration.ofSeconds(30), c.identityLease().gcInterval());
    assertEquals(Duration.ofMillis(250), parse("--identity-lease-gc-interval=250ms").identityLease().gcInterval());
    Flags.FlagException e = assertThrows(Flags.FlagException.class,
        () -> parse("--identity-lease-duration-seconds=0"));
    assertEquals("--identity-lease-duration-seconds should be a positive number, but value '0' provided",
        e.getMessage());
  }

  @Test
  void tuningFlagsAreHiddenFromTheUsage() {
    String usage = ApiServerConfig.flags().usage();
    assertTrue(usage.contains("--goaway-chance float"), usage);
    assertTrue(usage.contains("--endpoint-reconciler-type string"));
    assertTrue(usage.contains("--advertise-port int"));
    for (String hidden : List.of("identity-lease-duration-seconds", "identity-lease-renew-interval-seconds",
        "identity-lease-gc-interval", "endpoint-reconciler-interval", "endpoint-reconciler-lease-ttl")) {
      assertFalse(usage.contains(hidden), hidden);
    }
  }

  @Test
  void aTestConfigurationMayExceedTheGoawayCap() {
    assertEquals(1.0, parse().withGoawayChance(1.0).goawayChance());
    assertThrows(IllegalArgumentException.class, () -> parse().withGoawayChance(1.5));
  }
}
