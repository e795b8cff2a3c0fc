package dev.hostplane.apiserver.printers.internal;

import static dev.hostplane.apiserver.printers.internal.Cells.integer;
import static dev.hostplane.apiserver.printers.internal.Cells.text;
import static dev.hostplane.apiserver.printers.internal.WorkloadPrinters.name;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * Events in core/v1 shape (events.k8s.io/v1 Events are converted to it first, as upstream prints both from one
 * internal type). LAST SEEN is the series' last observation, else lastTimestamp, else FIRST SEEN, which is
 * firstTimestamp, else eventTime; COUNT is the series count, else count, else 1; OBJECT is {@code kind/name} with
 * the kind lower-cased; SOURCE is {@code component, host}, falling back to the reporting controller and instance.
 * Not API.
 */
final class EventPrinter {
  private EventPrinter() {}

  static final Printer PRINTER = Printer.of(EventPrinter::print, Column.string("Last Seen"), Column.string("Type"),
      Column.string("Reason"), Column.string("Object"), Column.wide("Subobject"), Column.wide("Source"),
      Column.string("Message"), Column.wide("First Seen"), Column.wide("Count"), Column.NAME.asWide());

  private static Row print(ObjectNode ev, Ages ages) {
    String first = Ages.instant(ev.path("firstTimestamp")).isPresent() ? ages.since(ev.path("firstTimestamp"))
        : ages.since(ev.path("eventTime"));
    String last = Ages.instant(ev.path("lastTimestamp")).isPresent() ? ages.since(ev.path("lastTimestamp")) : first;
    long count = integer(ev.path("count"));
    JsonNode series = ev.path("series");
    if (Cells.present(series)) {
      last = ages.since(series.path("lastObservedTime"));
      count = integer(series.path("count"));
    } else if (count == 0) {
      count = 1; // singleton events of the new API carry no count
    }
    JsonNode involved = ev.path("involvedObject");
    String kind = text(involved.path("kind")).toLowerCase(Locale.ROOT);
    String target = text(involved.path("name")).isEmpty() ? kind : kind + "/" + text(involved.path("name"));
    JsonNode source = ev.path("source");
    String component = Cells.or(text(source.path("component")), text(ev.path("reportingComponent")));
    String host = Cells.or(text(source.path("host")), text(ev.path("reportingInstance")));
    String sourceCell = host.isEmpty() ? component : component + ", " + host;
    return Row.of(last, text(ev.path("type")), text(ev.path("reason")), target, text(involved.path("fieldPath")),
        sourceCell, text(ev.path("message")).strip(), first, count, name(ev));
  }
}
