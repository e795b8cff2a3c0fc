package dev.hostplane.apiserver.printers.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * How one resource prints: its columns, in upstream's order, and the function that fills one row (always the
 * "wide" row, as upstream's server-side printing is; the client hides priority-1 columns). A row function reads
 * the object in the storage version's shape, never modifies it, and tolerates missing fields the way the Go
 * printer tolerates zero values. Not API.
 */
public record Printer(List<Column> columns, RowFunction rows) {
  /** Fills one row of {@code obj}; {@code ages} gives "now" for AGE-like cells. */
  @FunctionalInterface
  public interface RowFunction {
    Row print(ObjectNode obj, Ages ages);
  }

  public Printer {
    columns = List.copyOf(columns);
  }

  public static Printer of(RowFunction rows, Column... columns) {
    return new Printer(List.of(columns), rows);
  }

  /** One row; fails when the function's cell count disagrees with the columns (a bug in the printer). */
  public Row print(ObjectNode obj, Ages ages) {
    Row r = rows.print(obj, ages);
    if (r.cells().size() != columns.size()) {
      throw new IllegalStateException("printer made " + r.cells().size() + " cells for " + columns.size()
          + " columns");
    }
    return r;
  }
}
