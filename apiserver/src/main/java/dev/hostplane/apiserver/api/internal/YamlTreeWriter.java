package dev.hostplane.apiserver.api.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.emitter.Emitter;
import org.yaml.snakeyaml.events.DocumentEndEvent;
import org.yaml.snakeyaml.events.DocumentStartEvent;
import org.yaml.snakeyaml.events.ImplicitTuple;
import org.yaml.snakeyaml.events.MappingEndEvent;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.events.SequenceEndEvent;
import org.yaml.snakeyaml.events.SequenceStartEvent;
import org.yaml.snakeyaml.events.StreamEndEvent;
import org.yaml.snakeyaml.events.StreamStartEvent;

/**
 * Writes a Jackson tree as YAML the way upstream's JSON-to-YAML conversion (go-yaml v2) does, which is what kubectl
 * prints: block style, two-space indentation, sequences in mappings not indented, mapping keys sorted in go-yaml's
 * order, no document start marker, strings quoted only when they would otherwise read back as something else,
 * strings with line breaks as literal blocks. Not API.
 */
public final class YamlTreeWriter {
  private static final ImplicitTuple PLAIN = new ImplicitTuple(true, true);
  private static final ImplicitTuple QUOTED = new ImplicitTuple(false, true);

  private final Emitter emitter;

  private YamlTreeWriter(Emitter emitter) {
    this.emitter = emitter;
  }

  public static String write(JsonNode tree) {
    DumperOptions options = new DumperOptions();
    options.setIndent(2);
    options.setIndicatorIndent(0);
    options.setWidth(Integer.MAX_VALUE);
    options.setSplitLines(false);
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setAllowUnicode(true);
    StringWriter out = new StringWriter();
    YamlTreeWriter writer = new YamlTreeWriter(new Emitter(out, options));
    try {
      writer.emitter.emit(new StreamStartEvent(null, null));
      writer.emitter.emit(new DocumentStartEvent(null, null, false, null, null));
      writer.node(tree);
      writer.emitter.emit(new DocumentEndEvent(null, null, false));
      writer.emitter.emit(new StreamEndEvent(null, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  private void node(JsonNode n) throws IOException {
    if (n.isObject()) {
      emitter.emit(new MappingStartEvent(null, null, true, null, null, DumperOptions.FlowStyle.BLOCK));
      List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
      n.fields().forEachRemaining(fields::add);
      try {
        fields.sort(Comparator.comparing(Map.Entry::getKey, YamlKeyOrder.INSTANCE));
      } catch (IllegalArgumentException inconsistent) {
        // go-yaml's order is not a strict total order for every key set; never fail a response over it.
        fields.sort(Map.Entry.comparingByKey());
      }
      for (Map.Entry<String, JsonNode> f : fields) {
        string(f.getKey());
        node(f.getValue());
      }
      emitter.emit(new MappingEndEvent(null, null));
    } else if (n.isArray()) {
      emitter.emit(new SequenceStartEvent(null, null, true, null, null, DumperOptions.FlowStyle.BLOCK));
      for (JsonNode item : n) {
        node(item);
      }
      emitter.emit(new SequenceEndEvent(null, null));
    } else if (n.isTextual()) {
      string(n.textValue());
    } else if (n.isFloatingPointNumber()) {
      double d = n.doubleValue();
      String text = Double.isNaN(d) ? ".nan" : Double.isInfinite(d) ? (d > 0 ? ".inf" : "-.inf")
          : GoFormat.formatFloat(d, false);
      plain(text);
    } else if (n.isNumber() || n.isBoolean()) {
      plain(n.asText());
    } else if (n.isBinary()) {
      string(Base64.getEncoder().encodeToString(n.binaryValue()));
    } else if (n.isNull() || n.isMissingNode()) {
      plain("null");
    } else {
      string(n.asText());
    }
  }

  private void string(String s) throws IOException {
    DumperOptions.ScalarStyle style;
    ImplicitTuple implicit = QUOTED;
    if (s.indexOf('\n') >= 0) {
      style = DumperOptions.ScalarStyle.LITERAL;
    } else if (YamlScalars.canBePlain(s)) {
      style = DumperOptions.ScalarStyle.PLAIN; // the emitter falls back to single quotes where YAML needs them
      implicit = PLAIN;
    } else {
      style = DumperOptions.ScalarStyle.DOUBLE_QUOTED;
    }
    emitter.emit(new ScalarEvent(null, null, implicit, s, null, null, style));
  }

  private void plain(String text) throws IOException {
    emitter.emit(new ScalarEvent(null, null, PLAIN, text, null, null, DumperOptions.ScalarStyle.PLAIN));
  }
}
