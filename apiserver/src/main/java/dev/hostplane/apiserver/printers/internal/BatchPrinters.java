package dev.hostplane.apiserver.printers.internal;

import static dev.hostplane.apiserver.printers.internal.Cells.integer;
import static dev.hostplane.apiserver.printers.internal.Cells.text;
import static dev.hostplane.apiserver.printers.internal.WorkloadPrinters.age;
import static dev.hostplane.apiserver.printers.internal.WorkloadPrinters.name;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Jobs and CronJobs, as upstream prints them. Not API. */
final class BatchPrinters {
  private BatchPrinters() {}

  static final Printer JOBS = Printer.of(BatchPrinters::job, Column.NAME, Column.string("Status"),
      Column.string("Completions"), Column.string("Duration"), Column.AGE, Column.wide("Containers"),
      Column.wide("Images"), Column.wide("Selector"));

  static final Printer CRON_JOBS = Printer.of(BatchPrinters::cronJob, Column.NAME, Column.string("Schedule"),
      Column.string("Timezone"), Column.bool("Suspend"), Column.integer("Active"), Column.string("Last Schedule"),
      Column.AGE, Column.wide("Containers"), Column.wide("Images"), Column.wide("Selector"));

  /**
   * STATUS is the first that holds of Complete, Failed (conditions), Terminating (deletion timestamp), Suspended,
   * FailureTarget (conditions), else Running. COMPLETIONS is {@code succeeded/completions}, or for a work queue
   * {@code succeeded/1} ({@code succeeded/1 of parallelism} when parallel). DURATION runs from startTime to
   * completionTime, or to now while running; empty before the job starts.
   */
  private static Row job(ObjectNode job, Ages ages) {
    JsonNode spec = job.path("spec");
    JsonNode status = job.path("status");
    long succeeded = integer(status.path("succeeded"));
    String completions;
    if (spec.path("completions").isNumber()) {
      completions = succeeded + "/" + spec.path("completions").asLong();
    } else {
      long parallelism = integer(spec.path("parallelism"));
      completions = parallelism > 1 ? succeeded + "/1 of " + parallelism : succeeded + "/1";
    }
    String duration = "";
    Optional<Instant> start = Ages.instant(status.path("startTime"));
    if (start.isPresent()) {
      Instant end = Ages.instant(status.path("completionTime")).orElse(ages.now());
      duration = HumanDuration.format(Duration.between(start.get(), end));
    }
    String state;
    JsonNode conditions = status.path("conditions");
    if (condition(conditions, "Complete")) {
      state = "Complete";
    } else if (condition(conditions, "Failed")) {
      state = "Failed";
    } else if (!text(job.path("metadata").path("deletionTimestamp")).isEmpty()) {
      state = "Terminating";
    } else if (condition(conditions, "Suspended")) {
      state = "Suspended";
    } else if (condition(conditions, "FailureTarget")) {
      state = "FailureTarget";
    } else {
      state = "Running";
    }
    Cells.Containers c = Cells.containers(spec.path("template").path("spec").path("containers"));
    return Row.of(name(job), state, completions, duration, age(job, ages), c.names(), c.images(),
        Cells.selector(spec.path("selector")));
  }

  /** Upstream's {@code hasJobCondition}: the first condition of the type decides. */
  private static boolean condition(JsonNode conditions, String type) {
    JsonNode c = Cells.find(conditions, "type", type);
    return text(c.path("status")).equals("True");
  }

  private static Row cronJob(ObjectNode cj, Ages ages) {
    JsonNode spec = cj.path("spec");
    JsonNode jobSpec = spec.path("jobTemplate").path("spec");
    JsonNode lastSchedule = cj.path("status").path("lastScheduleTime");
    String last = lastSchedule.isTextual() ? ages.since(lastSchedule) : "<none>";
    Cells.Containers c = Cells.containers(jobSpec.path("template").path("spec").path("containers"));
    return Row.of(name(cj), text(spec.path("schedule")), Cells.or(text(spec.path("timeZone")), "<none>"),
        Cells.boolPtr(spec.path("suspend")), (long) cj.path("status").path("active").size(), last, age(cj, ages),
        c.names(), c.images(), Cells.selector(jobSpec.path("selector")));
  }
}
