package dev.hostplane.apiserver.printers.internal;

import java.util.List;
import java.util.Objects;

/**
 * The cells of one table row, in column order, and upstream's row conditions (only pods have them). A cell is a
 * {@link String}, an {@link Integer} or {@link Long} (written as a JSON number) or a {@link Boolean}, exactly as the
 * Go printer puts a string, an int64 or a bool in the cell, whatever the column's declared type. Not API.
 */
public record Row(List<Object> cells, List<Condition> conditions) {
  /** {@code metav1.TableRowCondition}. */
  public record Condition(String type, String status, String reason, String message) {}

  public Row {
    cells = List.copyOf(cells);
    conditions = List.copyOf(conditions);
    for (Object c : cells) {
      if (!(c instanceof String || c instanceof Integer || c instanceof Long || c instanceof Boolean)) {
        throw new IllegalArgumentException("a cell must be a String, Integer, Long or Boolean, not " + c);
      }
    }
  }

  public static Row of(Object... cells) {
    return new Row(List.of(cells), List.of());
  }

  public Row withConditions(List<Condition> c) {
    return new Row(cells, Objects.requireNonNull(c));
  }
}
