package dev.hostplane.apiserver.registry;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.storage.ListOptions;
import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.StoredObject;
import dev.hostplane.apiserver.storage.WatchEvent;
import dev.hostplane.apiserver.storage.WatchListener;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * One watch request: optional initial events, then the storage watch, filtered by the request's selectors, with
 * bookmarks and a deadline, written to an {@link EventSink}. Upstream's semantics: without a resourceVersion (or
 * with "0", or with sendInitialEvents=true) the current objects come first as ADDED events; with resourceVersion N
 * only changes after N; a compacted N ends the watch with an ERROR event carrying 410 Expired.
 *
 * <p>Threading: events are filtered and handed to the sink on the storage's dispatcher thread; timers on
 * {@code timer}. The sink must not block.
 */
public final class WatchSession {
  /** Receives a watch's output. {@link #event} returns false when the client cannot keep up: the watch ends. */
  public interface EventSink {
    boolean event(String type, ObjectNode object);

    /**
     * An event whose object is shared by every watch of the type; {@code forms} caches its wire encodings so that
     * each format is encoded once per event, not once per watcher.
     */
    default boolean event(String type, ObjectNode object, dev.hostplane.apiserver.api.EncodedForms forms) {
      return event(type, object);
    }

    /** Ends the stream cleanly; called once, last. */
    void end();
  }

  /** Bookmark cadence and default timeouts (upstream: about a minute; 1800 s x (1 + rand)). */
  public record Timing(Duration bookmarkInterval, Duration minRequestTimeout) {
    public static final Timing DEFAULT = new Timing(Duration.ofMinutes(1), Duration.ofMinutes(30));
  }

  private final GenericStore store;
  private final String namespace;
  private final Options.Read options;
  private final EventSink sink;
  private final ScheduledExecutorService timer;
  private final Timing timing;
  private final Function<ObjectNode, Boolean> filter;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile Storage.Watch watch;
  private volatile long lastRevision;
  private volatile ScheduledFuture<?> bookmarks;
  private volatile ScheduledFuture<?> deadline;
  private volatile ScheduledFuture<?> preDeadline;

  public WatchSession(GenericStore store, String namespace, Options.Read options, EventSink sink,
      ScheduledExecutorService timer, Timing timing) {
    this.store = store;
    this.namespace = namespace;
    this.options = options;
    this.sink = sink;
    this.timer = timer;
    this.timing = timing;
    this.filter = Selection.filter(store.type(), options);
    validate(options);
  }

  private static void validate(Options.Read o) {
    if (Boolean.TRUE.equals(o.sendInitialEvents())) {
      if (!"NotOlderThan".equals(o.resourceVersionMatch())) {
        throw ApiException.invalid("meta.k8s.io", "ListOptions", "", java.util.List.of(new Status.Cause(
            "FieldValueForbidden",
            "Forbidden: sendInitialEvents is forbidden for watch unless resourceVersionMatch is NotOlderThan",
            "sendInitialEvents")));
      }
      if (!o.allowWatchBookmarks()) {
        throw ApiException.invalid("meta.k8s.io", "ListOptions", "", java.util.List.of(new Status.Cause(
            "FieldValueForbidden", "Forbidden: sendInitialEvents requires setting allowWatchBookmarks=true",
            "allowWatchBookmarks")));
      }
    } else if (o.resourceVersionMatch() != null && !o.resourceVersionMatch().isEmpty()) {
      throw ApiException.invalid("meta.k8s.io", "ListOptions", "", java.util.List.of(new Status.Cause(
          "FieldValueForbidden", "Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents "
              + "is provided", "resourceVersionMatch")));
    }
  }

  /** Starts the session; failures to start become an ERROR event followed by the end of the stream. */
  public void start() {
    long requested = ResourceVersions.parseMinimum(options.resourceVersion());
    boolean rvUnset = options.resourceVersion() == null || options.resourceVersion().isEmpty();
    boolean initial = options.sendInitialEvents() != null
        ? options.sendInitialEvents()
        : rvUnset || "0".equals(options.resourceVersion());
    scheduleDeadline();
    if (initial) {
      // Without a resourceVersion the initial state is a consistent read; "0" and NotOlderThan accept any state at
      // or after the given revision, which the watch cache serves.
      ResourceVersions.awaitRevision(store.storage(), requested)
          .thenCompose(v -> rvUnset ? store.storage().list(store.listPrefix(namespace), ListOptions.DEFAULT)
              : store.storage().listNotOlderThan(store.listPrefix(namespace), requested, 0))
          .whenComplete((result, err) -> {
            if (err != null) {
              fail(err);
              return;
            }
            for (StoredObject so : result.items()) {
              ObjectNode obj = store.decode(so);
              if (filter.apply(obj) && !send("ADDED", obj)) {
                return;
              }
            }
            lastRevision = result.revision();
            if (Boolean.TRUE.equals(options.sendInitialEvents())) {
              ObjectNode bm = bookmarkObject(result.revision());
              ObjectMeta.meta(bm).putObject("annotations").put("k8s.io/initial-events-end", "true");
              if (!send("BOOKMARK", bm)) {
                return;
              }
            }
            follow(result.revision());
          });
    } else {
      lastRevision = requested;
      follow(requested);
    }
  }

  private void follow(long fromRevision) {
    if (ended.get()) {
      return;
    }
    watch = store.storage().watch(store.listPrefix(namespace), fromRevision, new WatchListener() {
      @Override
      public void onEvent(WatchEvent event) {
        deliver(event);
      }

      @Override
      public void onProgress(long revision) {
        if (revision > lastRevision) {
          lastRevision = revision;
        }
        if (options.allowWatchBookmarks()) {
          send("BOOKMARK", bookmarkObject(lastRevision));
        }
      }

      @Override
      public void onError(StorageException error) {
        fail(error);
      }
    });
    if (ended.get()) {
      watch.close();
      return;
    }
    if (options.allowWatchBookmarks()) {
      long every = Math.max(1, timing.bookmarkInterval().toMillis());
      bookmarks = timer.scheduleAtFixedRate(this::requestBookmark, every, every, TimeUnit.MILLISECONDS);
    }
  }

  private void requestBookmark() {
    Storage.Watch w = watch;
    if (w != null && !ended.get()) {
      w.requestProgress();
    }
  }

  private void deliver(WatchEvent event) {
    if (ended.get()) {
      return;
    }
    lastRevision = event.revision();
    // Shared across the watches of this type (read-only from here on), with its encodings.
    GenericStore.SharedObject shared = store.decodeShared(event.object());
    ObjectNode obj = shared.object();
    String type = switch (event.type()) {
      case ADDED -> filter.apply(obj) ? "ADDED" : null;
      case DELETED -> filter.apply(obj) ? "DELETED" : null;
      case MODIFIED -> {
        boolean now = filter.apply(obj);
        boolean before = event.previous() != null
            && (Selection.isEverything(options) || filter.apply(store.decode(event.previous())));
        yield now && before ? "MODIFIED" : now ? "ADDED" : before ? "DELETED" : null;
      }
    };
    if (type != null && !ended.get() && !sink.event(type, obj, shared.forms())) {
      stop();
    }
  }

  private ObjectNode bookmarkObject(long revision) {
    ObjectNode bm = JsonNodeFactory.instance.objectNode();
    bm.put("kind", store.type().kind());
    bm.put("apiVersion", store.type().apiVersion());
    ObjectNode meta = bm.putObject("metadata");
    meta.put("resourceVersion", Long.toString(revision));
    meta.putNull("creationTimestamp");
    return bm;
  }

  private boolean send(String type, ObjectNode obj) {
    if (ended.get()) {
      return false;
    }
    if (!sink.event(type, obj)) {
      stop();
      return false;
    }
    return true;
  }

  private void fail(Throwable err) {
    Throwable t = GenericStore.unwrap(err);
    Status status;
    if (t instanceof StorageException se && se.code() == StorageException.Code.COMPACTED) {
      status = Status.of(410, "Expired", "too old resource version: " + options.resourceVersion()
          + " (" + se.revision() + ")");
    } else if (store.translate(t, "") instanceof ApiException ae) {
      status = ae.status();
    } else {
      status = Status.of(500, "InternalError", "Internal error occurred: watch failed");
    }
    if (!ended.get()) {
      sink.event("ERROR", status.toJson());
    }
    stop();
  }

  private void scheduleDeadline() {
    long millis;
    if (options.timeoutSeconds() != null && options.timeoutSeconds() > 0) {
      millis = options.timeoutSeconds() * 1000;
    } else {
      long min = timing.minRequestTimeout().toMillis();
      millis = (long) (min * (1 + ThreadLocalRandom.current().nextDouble()));
    }
    deadline = timer.schedule(this::stop, millis, TimeUnit.MILLISECONDS);
    if (options.allowWatchBookmarks() && millis > 2500) {
      // A last bookmark shortly before the deadline lets the client resume exactly where it stopped.
      preDeadline = timer.schedule(this::requestBookmark, millis - 2000, TimeUnit.MILLISECONDS);
    }
  }

  /** Ends the session: stops the storage watch and the timers and ends the sink. Idempotent, any thread. */
  public void stop() {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    Storage.Watch w = watch;
    if (w != null) {
      w.close();
    }
    for (ScheduledFuture<?> f : new ScheduledFuture<?>[] {bookmarks, deadline, preDeadline}) {
      if (f != null) {
        f.cancel(false);
      }
    }
    sink.end();
  }

  /** Sends a final bookmark with the latest revision (when bookmarks were asked for), then stops. */
  public void drain() {
    if (options.allowWatchBookmarks() && !ended.get()) {
      send("BOOKMARK", bookmarkObject(lastRevision));
    }
    stop();
  }
}
