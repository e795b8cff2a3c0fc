package dev.hostplane.apiserver.registry.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CronScheduleTest {
  @ParameterizedTest
  @ValueSource(strings = {"* * * * *", "*/5 * * * *", "0 0 1 1 *", "0-59/15 0-23 1-31 1-12 0-6", "5,10,15 * * * *",
      "0 9 * * MON-FRI", "0 0 1 jan,jul *", "0 12 ? * sun", "30 3 */2 * *", "5/10 * * * *", "@yearly",
      "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "@every 1h30m", "@every 90s",
      "@every 1.5h", "@every 500ms"})
  void acceptsWhatUpstreamAccepts(String schedule) {
    assertNull(CronSchedule.check(schedule));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "* * * *|expected exactly 5 fields, found 4: * * * *",
      "* * * * * *|expected exactly 5 fields, found 6: * * * * * *",
      "60 * * * *|end of range (60) above maximum (59): 60",
      "* 24 * * *|end of range (24) above maximum (23): 24",
      "* * 0 * *|beginning of range (0) below minimum (1): 0",
      "* * * 13 *|end of range (13) above maximum (12): 13",
      "* * * * 7|end of range (7) above maximum (6): 7",
      "5-1 * * * *|beginning of range (5) beyond end of range (1): 5-1",
      "*/0 * * * *|step of range should be a positive number: */0",
      "1-2-3 * * * *|too many hyphens: 1-2-3",
      "*/2/3 * * * *|too many slashes: */2/3",
      "x * * * *|failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax",
      "* * * foo *|failed to parse int from foo: strconv.Atoi: parsing \"foo\": invalid syntax",
      "@every|unrecognized descriptor: @every",
      "@every 1d|failed to parse duration @every 1d: time: unknown unit \"d\" in duration \"1d\"",
      "@every 10|failed to parse duration @every 10: time: missing unit in duration \"10\"",
      "@reboot|unrecognized descriptor: @reboot"})
  void rejectsWithUpstreamsMessage(String schedule, String message) {
    assertEquals(message, CronSchedule.check(schedule));
  }
}
