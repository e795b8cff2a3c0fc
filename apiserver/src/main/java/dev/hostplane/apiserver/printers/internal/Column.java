package dev.hostplane.apiserver.printers.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One {@code metav1.TableColumnDefinition}. Names are upstream's, in its spelling ({@code Up-to-date}); kubectl
 * upper-cases them. Types are OpenAPI's ({@code string}, {@code integer}, {@code number}, {@code boolean},
 * {@code date}); note that upstream types most numeric and all AGE columns {@code string}. Priority 1 marks
 * columns that only {@code -o wide} shows. Not API.
 */
public record Column(String name, String type, String format, String description, int priority) {
  /** The NAME column of every built-in printer: format {@code name}, which kubectl uses for {@code -o name}. */
  public static final Column NAME = new Column("Name", "string", "name", "", 0);
  /** The AGE column of every built-in printer: a human duration such as {@code 5m10s}, typed string. */
  public static final Column AGE = new Column("Age", "string", "", "", 0);

  public static Column string(String name) {
    return new Column(name, "string", "", "", 0);
  }

  public static Column integer(String name) {
    return new Column(name, "integer", "", "", 0);
  }

  public static Column bool(String name) {
    return new Column(name, "boolean", "", "", 0);
  }

  /** A string column shown only with {@code -o wide}. */
  public static Column wide(String name) {
    return new Column(name, "string", "", "", 1);
  }

  /** This column shown only with {@code -o wide}. */
  public Column asWide() {
    return new Column(name, type, format, description, 1);
  }

  /** The wire form; every field is always present, as Go writes the struct. */
  public ObjectNode toJson() {
    ObjectNode c = JsonNodeFactory.instance.objectNode();
    c.put("name", name);
    c.put("type", type);
    c.put("format", format);
    c.put("description", description);
    c.put("priority", priority);
    return c;
  }
}
