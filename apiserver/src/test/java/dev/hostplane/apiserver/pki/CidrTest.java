package dev.hostplane.apiserver.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(20)
class CidrTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "10.240.16.0/20, 10.240.16.1, 10.240.16.0/20",
      "10.0.0.0/24, 10.0.0.1, 10.0.0.0/24",
      "10.96.0.0/12, 10.96.0.1, 10.96.0.0/12",
      "10.240.16.77/20, 10.240.16.1, 10.240.16.0/20", // host bits masked, like Go's net.ParseCIDR
      "192.168.1.128/25, 192.168.1.129, 192.168.1.128/25",
      "0.0.0.0/0, 0.0.0.1, 0.0.0.0/0",
      "172.16.0.0/31, 172.16.0.1, 172.16.0.0/31",
      "fd00::/108, fd00:0:0:0:0:0:0:1, fd00:0:0:0:0:0:0:0/108",
      "fd00:10:96::/112, fd00:10:96:0:0:0:0:1, fd00:10:96:0:0:0:0:0/112",
      "2001:db8::ffff/64, 2001:db8:0:0:0:0:0:1, 2001:db8:0:0:0:0:0:0/64",
      "' 10.1.2.0/24 ', 10.1.2.1, 10.1.2.0/24",
  })
  void firstIp(String cidr, String first, String normalised) {
    Cidr parsed = Cidr.parse(cidr);
    assertEquals(first, parsed.firstIp().getHostAddress());
    assertEquals(normalised, parsed.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.256/24", "10.0.0/24",
      "example.com/24", "10.0.0.0/24/1", "fd00::/129", "fd00::zz/64", "10.0.0.0/-1", "10.0.0.0/abc",
      "localhost/8", "::ffff:10.0.0.0/104"})
  void rejectsInvalid(String cidr) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(cidr));
    assertTrue(e.getMessage().startsWith("invalid CIDR"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.5/32", "fd00::1/128"})
  void singleAddressHasNoFirstIp(String cidr) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(cidr).firstIp());
    assertTrue(e.getMessage().contains("too small"), e.getMessage());
  }
}
