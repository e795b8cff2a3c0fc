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

  @Test
  void limitsAndTransportFlagsHaveUpstreamDefaults() {
    ApiServerConfig c = parse();
    assertEquals(new dev.hostplane.apiserver.handlers.RequestLimits(400, 200, Duration.ofMinutes(1)), c.limits());
    assertEquals("VersionTLS12", c.server().tls().minVersion());
    assertTrue(c.server().tls().cipherSuites().isEmpty());
    assertEquals(Duration.ofSeconds(32), c.server().requestReadTimeout());
    assertEquals(Duration.ofSeconds(90), c.server().idleConnectionTimeout());
  }

  @Test
  void limitsAndTransportFlagsAreRead() {
    ApiServerConfig c = parse("--max-requests-inflight=0", "--max-mutating-requests-inflight=7",
        "--request-timeout=30s", "--tls-min-version=VersionTLS13",
        "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "--tls-sni-cert-key=a.crt,a.key:a.example.com,b.example.com", "--tls-sni-cert-key=c.crt,c.key",
        "--idle-connection-timeout=0");
    assertEquals(new dev.hostplane.apiserver.handlers.RequestLimits(0, 7, Duration.ofSeconds(30)), c.limits());
    assertEquals("VersionTLS13", c.server().tls().minVersion());
    assertEquals(2, c.server().tls().cipherSuites().size());
    assertEquals(2, c.server().tls().sniCertificates().size());
    assertEquals(List.of("a.example.com", "b.example.com"), c.server().tls().sniCertificates().get(0).names());
    assertEquals(Duration.ZERO, c.server().idleConnectionTimeout());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--max-requests-inflight=-1|--max-requests-inflight and --max-mutating-requests-inflight must be 0 (no limit)"
          + " or positive, got -1 and 200",
      "--request-timeout=0s|--request-timeout must be positive, got 0s",
      "--tls-min-version=VersionTLS11|--tls-min-version=VersionTLS11 is not supported: TLS 1.0 and 1.1 are "
          + "insecure; use VersionTLS12 or VersionTLS13",
      "--tls-cipher-suites=TLS_RSA_WITH_RC4_128_SHA|unsupported cipher suite name in --tls-cipher-suites: "
          + "TLS_RSA_WITH_RC4_128_SHA"})
  void badLimitsAndTransportFlagsAreRefused(String flag, String message) {
    Flags.FlagException e = assertThrows(Flags.FlagException.class, () -> parse(flag));
    assertEquals(message, e.getMessage());
  }
}
