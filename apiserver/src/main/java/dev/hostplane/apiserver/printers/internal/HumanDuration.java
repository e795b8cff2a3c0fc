package dev.hostplane.apiserver.printers.internal;

import java.time.Duration;

/**
 * Upstream's {@code duration.HumanDuration}: two or three significant figures, the unit steps chosen so a column
 * of ages stays narrow. Up to 1 s in the future reads {@code 0s} (clock skew), further is {@code <invalid>};
 * under 2 minutes whole seconds ({@code 90s}); then {@code 2m30s} up to 10 minutes, {@code 42m} up to 3 hours,
 * {@code 4h5m} up to 8 hours, {@code 20h} up to 2 days, {@code 3d4h} up to 8 days, {@code 120d} up to 2 years,
 * {@code 3y40d} up to 8 years, then years ({@code 9y}). Every step truncates. Not API.
 */
public final class HumanDuration {
  private HumanDuration() {}

  public static String format(Duration d) {
    // Go converts with int(d.Seconds()), which truncates toward zero; Duration.getSeconds() floors.
    long seconds = d.getSeconds();
    if (seconds < 0 && d.getNano() > 0) {
      seconds++;
    }
    if (seconds < -1) {
      return "<invalid>";
    } else if (seconds < 0) {
      return "0s";
    } else if (seconds < 60 * 2) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 10) {
      long s = seconds % 60;
      return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
    } else if (minutes < 60 * 3) {
      return minutes + "m";
    }
    long hours = seconds / 3600;
    if (hours < 8) {
      long m = minutes % 60;
      return m == 0 ? hours + "h" : hours + "h" + m + "m";
    } else if (hours < 48) {
      return hours + "h";
    } else if (hours < 24 * 8) {
      long h = hours % 24;
      return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    } else if (hours < 24 * 365 * 8) {
      long dy = (hours / 24) % 365;
      return dy == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dy + "d";
    }
    return hours / 24 / 365 + "y";
  }
}
