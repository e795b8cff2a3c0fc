package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Strategy;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * batch/v1 CronJob: a valid schedule and time zone, concurrency policy Allow by default, history limits 3 and 1.
 * The job template is defaulted like upstream's (pod template defaults only: Job defaults apply when a Job is
 * created from it) and validated as a Job spec whose selector is always generated.
 */
final class CronJobStrategy implements Strategy {
  private static final Pattern ZONE_CHARS = Pattern.compile("^[A-Za-z\\.\\-_0-9+]{1,14}$");

  @Override
  public void applyDefaults(ObjectNode obj) {
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    Nodes.defaultText(spec, "concurrencyPolicy", "Allow");
    Nodes.defaultBool(spec, "suspend", false);
    Nodes.defaultNum(spec, "successfulJobsHistoryLimit", 3);
    Nodes.defaultNum(spec, "failedJobsHistoryLimit", 1);
    ObjectNode jobSpec = Nodes.ensureObj(Nodes.ensureObj(spec, "jobTemplate"), "spec");
    PodTemplates.applyDefaults(Nodes.ensureObj(jobSpec, "template"));
  }

  @Override
  public void prepareForCreate(ObjectNode obj) {
    obj.putObject("status");
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    String name = ObjectMeta.name(obj);
    if (name != null && name.length() > 52) {
      errs.invalid("metadata.name", name, "must be no more than 52 characters");
    }
    ObjectNode spec = Nodes.obj(obj, "spec");
    String schedule = Nodes.text(spec, "schedule");
    if (schedule.isEmpty()) {
      errs.required("spec.schedule");
    } else if (schedule.contains("TZ")) {
      errs.invalid("spec.schedule", schedule,
          "cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
    } else {
      String problem = CronSchedule.check(schedule);
      if (problem != null) {
        errs.invalid("spec.schedule", schedule, problem);
      }
    }
    validateTimeZone(Nodes.str(spec, "timeZone"), errs);
    FieldChecks.requiredOneOf(errs, "spec.concurrencyPolicy", spec, "concurrencyPolicy", "Allow", "Forbid",
        "Replace");
    for (String f : List.of("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit")) {
      FieldChecks.nonNegative(errs, "spec." + f, spec, f);
    }
    ObjectNode jobTemplate = Nodes.obj(spec, "jobTemplate");
    ObjectNode jobSpec = Nodes.obj(jobTemplate, "spec");
    LabelSelectors.validateLabels(Nodes.stringMap(Nodes.obj(jobTemplate, "metadata"), "labels"),
        "spec.jobTemplate.metadata.labels", errs);
    if (jobSpec == null) {
      errs.required("spec.jobTemplate.spec");
      return errs.list();
    }
    if (Nodes.has(jobSpec, "selector")) {
      errs.invalid("spec.jobTemplate.spec.selector", LabelSelectors.format(jobSpec.get("selector")),
          "`selector` will be auto-generated");
    }
    if (Nodes.isTrue(jobSpec, "manualSelector")) {
      errs.notSupported("spec.jobTemplate.spec.manualSelector", true, "nil", "false");
    }
    JobStrategy.validateJobSpec(jobSpec, "spec.jobTemplate.spec", errs);
    return errs.list();
  }

  /** Upstream validateTimeZone: absent, or an explicit IANA zone (not "Local", not empty). */
  private static void validateTimeZone(String zone, CauseList errs) {
    if (zone == null) {
      return;
    }
    if (zone.isEmpty()) {
      errs.invalid("spec.timeZone", zone, "timeZone must be nil or non-empty string");
      return;
    }
    if (zone.toLowerCase(Locale.ROOT).equals("local")) {
      errs.invalid("spec.timeZone", zone,
          "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones");
      return;
    }
    if (!Character.isLetter(zone.charAt(0))) {
      errs.invalid("spec.timeZone", zone, "unknown time zone " + zone);
      return;
    }
    for (String part : zone.split("/")) {
      if (part.equals(".") || part.equals("..") || part.startsWith("-") || !ZONE_CHARS.matcher(part).matches()) {
        errs.invalid("spec.timeZone", zone, "unknown time zone " + zone);
        return;
      }
    }
    try {
      ZoneId.of(zone);
    } catch (DateTimeException e) {
      errs.invalid("spec.timeZone", zone, "unknown time zone " + zone);
    }
  }

  @Override
  public boolean tracksGeneration() {
    return true;
  }
}
