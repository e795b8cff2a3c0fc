package dev.hostplane.apiserver.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.hostplane.apiserver.api.internal.GoFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A label selector, immutable: upstream's {@code labels.Selector}. Built from the query-string form with
 * {@link #parse} ({@code labels.Parse}), from a {@code metav1.LabelSelector} object with {@link #fromJson}
 * ({@code LabelSelectorAsSelector}) or from a map with {@link #fromSet}. Requirements are kept sorted by key; all
 * must hold for a match. {@link #EVERYTHING} (no requirements) matches every label set, {@link #NOTHING} none.
 */
public final class LabelSelector {
  /** Operators, named and spelled as upstream's {@code selection.Operator}. */
  public enum Operator {
    EQUALS("="), DOUBLE_EQUALS("=="), NOT_EQUALS("!="), IN("in"), NOT_IN("notin"), EXISTS("exists"),
    DOES_NOT_EXIST("!"), GREATER_THAN("gt"), LESS_THAN("lt");

    private final String symbol;

    Operator(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }

  /**
   * One requirement. Values are kept as given (the string parser sorts and de-duplicates them, as upstream's
   * does); {@link #toString} prints them sorted. Use {@link #requirement} for a validated one.
   */
  public record Requirement(String key, Operator operator, List<String> values) {
    public Requirement {
      values = List.copyOf(values);
    }

    /** Upstream's {@code Requirement.Matches}; a missing label satisfies only NotIn, != and DoesNotExist. */
    public boolean matches(Map<String, String> labels) {
      String value = labels.get(key);
      switch (operator) {
        case IN, EQUALS, DOUBLE_EQUALS:
          return value != null && values.contains(value);
        case NOT_IN, NOT_EQUALS:
          return value == null || !values.contains(value);
        case EXISTS:
          return value != null;
        case DOES_NOT_EXIST:
          return value == null;
        case GREATER_THAN, LESS_THAN: {
          if (value == null || values.size() != 1) {
            return false;
          }
          try {
            long have = Long.parseLong(value);
            long want = Long.parseLong(values.get(0));
            return operator == Operator.GREATER_THAN ? have > want : have < want;
          } catch (NumberFormatException e) {
            return false;
          }
        }
        default:
          return false;
      }
    }

    /** Upstream's canonical text: {@code a=b}, {@code a!=b}, {@code a in (x,y)}, {@code a}, {@code !a}, {@code a>1}. */
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      if (operator == Operator.DOES_NOT_EXIST) {
        sb.append('!');
      }
      sb.append(key);
      switch (operator) {
        case EXISTS, DOES_NOT_EXIST:
          return sb.toString();
        case IN:
          sb.append(" in ");
          break;
        case NOT_IN:
          sb.append(" notin ");
          break;
        case GREATER_THAN:
          sb.append('>');
          break;
        case LESS_THAN:
          sb.append('<');
          break;
        default:
          sb.append(operator.symbol());
      }
      boolean set = operator == Operator.IN || operator == Operator.NOT_IN;
      if (set) {
        sb.append('(');
      }
      sb.append(values.stream().sorted().collect(Collectors.joining(",")));
      if (set) {
        sb.append(')');
      }
      return sb.toString();
    }
  }

  public static final LabelSelector EVERYTHING = new LabelSelector(List.of(), true);
  public static final LabelSelector NOTHING = new LabelSelector(List.of(), false);

  private static final Comparator<Requirement> BY_KEY = Comparator.comparing(Requirement::key);

  private final List<Requirement> requirements;
  private final boolean selectable;

  private LabelSelector(List<Requirement> requirements, boolean selectable) {
    List<Requirement> sorted = new ArrayList<>(requirements);
    sorted.sort(BY_KEY); // stable, so requirements on one key keep their order
    this.requirements = List.copyOf(sorted);
    this.selectable = selectable;
  }

  /**
   * Parses the query-string form, exactly as upstream's {@code labels.Parse}:
   * {@code a=b,c!=d,e in (x,y),f notin (z),g,!h}, also {@code ==}, {@code >} and {@code <}. An empty string
   * selects everything. Throws 400 BadRequest with upstream's message, e.g.
   * {@code unable to parse requirement: values[0][app]: Invalid value: "a b": a valid label must be ...}.
   */
  public static LabelSelector parse(String selector) {
    return new LabelSelector(new LabelSelectorParser(selector).parse(), true);
  }

  /**
   * Converts a {@code metav1.LabelSelector} ({@code matchLabels}, {@code matchExpressions}), as upstream's
   * {@code LabelSelectorAsSelector}: null or missing selects nothing, an empty object everything. Throws 400
   * BadRequest with upstream's message for an invalid selector; run {@link #validate} first to get field causes.
   */
  public static LabelSelector fromJson(JsonNode selector) {
    if (selector == null || selector.isNull() || selector.isMissingNode()) {
      return NOTHING;
    }
    JsonNode labels = selector.path("matchLabels");
    JsonNode exprs = selector.path("matchExpressions");
    if (!selector.isObject() || !absentOr(labels, JsonNode::isObject) || !absentOr(exprs, JsonNode::isArray)) {
      throw ApiException.badRequest("a label selector must be an object with a matchLabels object and a "
          + "matchExpressions array");
    }
    List<Requirement> reqs = new ArrayList<>();
    labels.fields().forEachRemaining(e ->
        reqs.add(requirement(e.getKey(), Operator.EQUALS, List.of(e.getValue().asText()))));
    for (JsonNode expr : exprs) {
      String op = expr.path("operator").asText("");
      Operator operator = switch (op) {
        case "In" -> Operator.IN;
        case "NotIn" -> Operator.NOT_IN;
        case "Exists" -> Operator.EXISTS;
        case "DoesNotExist" -> Operator.DOES_NOT_EXIST;
        default -> throw ApiException.badRequest(GoFormat.quote(op) + " is not a valid label selector operator");
      };
      List<String> values = new ArrayList<>();
      expr.path("values").forEach(v -> values.add(v.asText()));
      reqs.add(requirement(expr.path("key").asText(""), operator, values));
    }
    return new LabelSelector(reqs, true);
  }

  /**
   * Upstream's {@code ValidateLabelSelector} for a {@code metav1.LabelSelector} at {@code path} (e.g.
   * {@code spec.selector}): matchLabels as labels; per expression, the operator, its values (required for In and
   * NotIn, forbidden for Exists and DoesNotExist, each a valid label value) and the key.
   */
  public static List<Status.Cause> validate(JsonNode selector, String path) {
    List<Status.Cause> errs = new ArrayList<>();
    if (selector == null || selector.isNull() || selector.isMissingNode()) {
      return errs;
    }
    if (!selector.isObject()) {
      errs.add(FieldErrors.invalid(path, selector, "must be an object"));
      return errs;
    }
    errs.addAll(Validation.validateLabels(selector.get("matchLabels"), path + ".matchLabels"));
    JsonNode exprs = selector.path("matchExpressions");
    if (!absentOr(exprs, JsonNode::isArray)) {
      errs.add(FieldErrors.invalid(path + ".matchExpressions", exprs, "must be an array"));
      return errs;
    }
    for (int i = 0; i < exprs.size(); i++) {
      JsonNode expr = exprs.get(i);
      String at = path + ".matchExpressions[" + i + "]";
      if (!expr.isObject()) {
        errs.add(FieldErrors.invalid(at, expr, "must be an object"));
        continue;
      }
      String op = expr.path("operator").asText("");
      JsonNode values = expr.path("values");
      if (!absentOr(values, JsonNode::isArray)) {
        errs.add(FieldErrors.invalid(at + ".values", values, "must be an array of strings"));
        values = MissingNode.getInstance();
      }
      switch (op) {
        case "In", "NotIn" -> {
          if (values.size() == 0) {
            errs.add(FieldErrors.required(at + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
          }
        }
        case "Exists", "DoesNotExist" -> {
          if (values.size() > 0) {
            errs.add(FieldErrors.forbidden(at + ".values",
                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
          }
        }
        default -> errs.add(FieldErrors.invalid(at + ".operator", op, "not a valid selector operator"));
      }
      for (int j = 0; j < values.size(); j++) {
        String v = values.get(j).asText();
        for (String msg : Validation.isValidLabelValue(v)) {
          errs.add(FieldErrors.invalid(at + ".values[" + j + "]", v, msg));
        }
      }
      String key = expr.path("key").asText("");
      for (String msg : Validation.isQualifiedName(key)) {
        errs.add(FieldErrors.invalid(at + ".key", key, msg));
      }
    }
    return errs;
  }

  private static boolean absentOr(JsonNode node, Predicate<JsonNode> shape) {
    return node.isMissingNode() || node.isNull() || shape.test(node);
  }

  /** A selector requiring each label to equal its value ({@code SelectorFromSet}); values are not validated. */
  public static LabelSelector fromSet(Map<String, String> labels) {
    List<Requirement> reqs = new ArrayList<>();
    labels.forEach((k, v) -> reqs.add(new Requirement(k, Operator.EQUALS, List.of(v))));
    return new LabelSelector(reqs, true);
  }

  /**
   * A validated requirement, as upstream's {@code NewRequirement}: key a qualified name, value count fitting the
   * operator, values label values (integers for gt/lt). Throws 400 BadRequest with upstream's aggregated message.
   */
  public static Requirement requirement(String key, Operator operator, List<String> values) {
    List<String> errs = LabelSelectorParser.requirementErrors(key, operator, values, null);
    if (!errs.isEmpty()) {
      throw ApiException.badRequest(LabelSelectorParser.aggregate(errs));
    }
    return new Requirement(key, operator, values);
  }

  /** This selector with more requirements (upstream's {@code Add}). {@link #NOTHING} stays nothing. */
  public LabelSelector and(List<Requirement> more) {
    if (!selectable) {
      return this;
    }
    List<Requirement> all = new ArrayList<>(requirements);
    all.addAll(more);
    return new LabelSelector(all, true);
  }

  public List<Requirement> requirements() {
    return requirements;
  }

  /** True when the selector does not restrict anything (it matches every label set). */
  public boolean isEmpty() {
    return selectable && requirements.isEmpty();
  }

  /** True only for {@link #NOTHING}. */
  public boolean matchesNothing() {
    return !selectable;
  }

  public boolean matches(Map<String, String> labels) {
    if (!selectable) {
      return false;
    }
    for (Requirement r : requirements) {
      if (!r.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /** Matches against a {@code metadata.labels} object; null or missing means no labels. */
  public boolean matches(JsonNode labels) {
    Map<String, String> map = new LinkedHashMap<>();
    if (labels != null) {
      labels.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
    }
    return matches(map);
  }

  /**
   * The single value {@code key} must have ({@code =}, {@code ==}, or {@code in} with one value), as upstream's
   * {@code RequiresExactMatch}; lets storage narrow a list by an indexed label.
   */
  public Optional<String> requiresExactMatch(String key) {
    for (Requirement r : requirements) {
      if (r.key().equals(key)) {
        boolean exact = r.operator() == Operator.EQUALS || r.operator() == Operator.DOUBLE_EQUALS
            || r.operator() == Operator.IN;
        return exact && r.values().size() == 1 ? Optional.of(r.values().get(0)) : Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** The canonical form, requirements sorted by key and joined by commas; empty for everything and nothing. */
  @Override
  public String toString() {
    return requirements.stream().map(Requirement::toString).collect(Collectors.joining(","));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LabelSelector s && s.selectable == selectable && s.requirements.equals(requirements);
  }

  @Override
  public int hashCode() {
    return requirements.hashCode() * 31 + (selectable ? 1 : 0);
  }
}
