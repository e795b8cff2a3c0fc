package dev.hostplane.webhook.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A webhook's {@code matchConditions}: CEL expressions over {@code object}, {@code oldObject} and {@code request}
 * (the AdmissionReview request), all of which must be true for the webhook to be called. Expressions are compiled
 * once, when the configuration is read; one that does not compile makes every evaluation an error.
 *
 * <p>Thread-safe: programs are immutable.
 */
public final class MatchConditions {
  private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
      .setStandardMacros(dev.cel.parser.CelStandardMacro.STANDARD_MACROS)
      .addVar("object", SimpleType.DYN)
      .addVar("oldObject", SimpleType.DYN)
      .addVar("request", SimpleType.DYN)
      .setResultType(SimpleType.BOOL)
      .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  /** The outcome of an evaluation: matched, or not (with the first false condition), or an error. */
  public record Result(boolean matches, String failedCondition, String error) {}

  private record Condition(String name, CelRuntime.Program program, String compileError) {}

  private final List<Condition> conditions;

  private MatchConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  /** Compiles {@code matchConditions} (an array of {name, expression}); null when there are none. */
  public static MatchConditions compile(JsonNode matchConditions) {
    if (matchConditions == null || !matchConditions.isArray() || matchConditions.isEmpty()) {
      return null;
    }
    List<Condition> out = new ArrayList<>();
    for (JsonNode c : matchConditions) {
      String name = c.path("name").asText("");
      String expression = c.path("expression").asText("");
      try {
        out.add(new Condition(name, RUNTIME.createProgram(COMPILER.compile(expression).getAst()), null));
      } catch (CelValidationException e) {
        out.add(new Condition(name, null, "compilation failed: " + e.getMessage()));
      } catch (CelEvaluationException e) {
        out.add(new Condition(name, null, "compilation failed: " + e.getMessage()));
      }
    }
    return new MatchConditions(List.copyOf(out));
  }

  /**
   * The matchConditions that do not compile in a webhook configuration object, as upstream's 422 causes
   * ({@code webhooks[i].matchConditions[j].expression: Invalid value: "<expression>": compilation failed: ...}).
   */
  public static List<dev.hostplane.apiserver.api.Status.Cause> configurationErrors(JsonNode configuration) {
    List<dev.hostplane.apiserver.api.Status.Cause> causes = new ArrayList<>();
    JsonNode hooks = configuration == null ? null : configuration.path("webhooks");
    for (int i = 0; hooks != null && i < hooks.size(); i++) {
      JsonNode conditions = hooks.get(i).path("matchConditions");
      for (Map.Entry<Integer, String> e : compileErrors(conditions).entrySet()) {
        String expression = conditions.get(e.getKey()).path("expression").asText("");
        causes.add(new dev.hostplane.apiserver.api.Status.Cause("FieldValueInvalid", "Invalid value: "
            + com.fasterxml.jackson.databind.node.TextNode.valueOf(expression) + ": " + e.getValue(),
            "webhooks[" + i + "].matchConditions[" + e.getKey() + "].expression"));
      }
    }
    return causes;
  }

  /** Compile errors of {@code matchConditions}, by index; empty when every expression compiles. */
  public static Map<Integer, String> compileErrors(JsonNode matchConditions) {
    Map<Integer, String> errors = new LinkedHashMap<>();
    MatchConditions compiled = compile(matchConditions);
    if (compiled != null) {
      for (int i = 0; i < compiled.conditions.size(); i++) {
        if (compiled.conditions.get(i).compileError() != null) {
          errors.put(i, compiled.conditions.get(i).compileError());
        }
      }
    }
    return errors;
  }

  /**
   * Evaluates every condition in order: the first false one ends with no match; an error in any is reported
   * (upstream evaluates all and lets a false win over an error, so errors are kept until the end).
   */
  public Result evaluate(ObjectNode object, ObjectNode oldObject, ObjectNode request) {
    Map<String, Object> vars = new HashMap<>();
    vars.put("object", toCel(object));
    vars.put("oldObject", toCel(oldObject));
    vars.put("request", toCel(request));
    String error = null;
    for (Condition c : conditions) {
      if (c.program() == null) {
        error = error != null ? error : "expression '" + c.name() + "' resulted in error: " + c.compileError();
        continue;
      }
      try {
        Object v = c.program().eval(vars);
        if (v instanceof Boolean b) {
          if (!b) {
            return new Result(false, c.name(), null);
          }
        } else if (error == null) {
          error = "expression '" + c.name() + "' resulted in error: must evaluate to bool";
        }
      } catch (CelEvaluationException | RuntimeException e) {
        if (error == null) {
          error = "expression '" + c.name() + "' resulted in error: " + e.getMessage();
        }
      }
    }
    return error != null ? new Result(false, null, error) : new Result(true, null, null);
  }

  /** JSON as CEL values: maps, lists, strings, int64, doubles, booleans and CEL's null. */
  static Object toCel(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return com.google.protobuf.NullValue.NULL_VALUE;
    }
    if (n.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        m.put(e.getKey(), toCel(e.getValue()));
      }
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>(n.size());
      n.forEach(x -> l.add(toCel(x)));
      return l;
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isIntegralNumber()) {
      return n.longValue();
    }
    if (n.isNumber()) {
      return n.doubleValue();
    }
    return n.asText();
  }
}
