package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.Times;
import dev.hostplane.apiserver.storage.ListOptions;
import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.StoredObject;
import dev.hostplane.apiserver.storage.WatchEvent;
import dev.hostplane.apiserver.storage.WatchListener;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims on the values of one range (cluster IPs, or node ports) shared by every apiserver on one storage, in the
 * manner of upstream's IPAddress objects: one key per taken value, {@code <prefix>/ranges/<range>/<value>}, created
 * atomically, so two apiservers never hand out the same value. The key's value names the owner (the uid of the
 * holding object) and when it was claimed: {@code {"owner":"<uid>","object":"<ns>/<name>","claimed":"<time>"}}.
 *
 * <p>An apiserver also {@link #follow follows} the keys (list, then watch) into its in-memory allocator, so that it
 * seldom offers a value another apiserver holds; the atomic create stays the arbiter.
 *
 * <p>Threading: nothing blocks; futures complete on storage threads, and the follower's callbacks run on the
 * storage's watch thread (or the thread completing a list), one at a time.
 */
public final class RangeReservations implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RangeReservations.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** What became of a claim. */
  public enum Outcome { CLAIMED, TAKEN }

  /** One stored claim; {@code revision} is its key's modRevision (for deletes that must not race a new claim). */
  public record Reservation(String value, String owner, String object, Instant claimed, long revision) {}

  /** Receives the follower's view: values claimed and released by any apiserver. */
  public interface Listener {
    void taken(String value);

    void freed(String value);
  }

  private final Storage storage;
  private final String prefix;
  private final String range;
  private final Clock clock;
  private final Object lock = new Object();
  // Guarded by lock:
  private Listener listener;
  private Set<String> known = new HashSet<>();
  private Storage.Watch watch;
  private long generation;
  private boolean closed;

  /** @param range the key segment under {@code <prefix>/ranges/}, e.g. {@code serviceips} */
  public RangeReservations(Storage storage, String storagePrefix, String range, Clock clock) {
    this.storage = storage;
    this.range = range;
    this.prefix = (storagePrefix.endsWith("/") ? storagePrefix : storagePrefix + "/") + "ranges/" + range + "/";
    this.clock = clock;
  }

  /** E.g. {@code serviceips}. */
  public String range() {
    return range;
  }

  /** Claims {@code value} for {@code owner}: CLAIMED when the key was created, TAKEN when it exists (anyone's). */
  public CompletionStage<Outcome> claim(String value, String owner, String object) {
    ObjectNode v = NODES.objectNode();
    v.put("owner", owner);
    v.put("object", object);
    v.put("claimed", Times.formatMicroTime(clock.instant()));
    return storage.create(prefix + value, Codecs.writeJson(v)).handle((stored, err) -> {
      if (err == null) {
        return Outcome.CLAIMED;
      }
      if (cause(err) instanceof StorageException se && se.code() == StorageException.Code.KEY_EXISTS) {
        noteTaken(value);
        return Outcome.TAKEN;
      }
      throw err instanceof RuntimeException re ? re : new IllegalStateException(err);
    });
  }

  /**
   * Deletes {@code value}'s claim if {@code owner} holds it. Never fails: a claim that cannot be deleted now is
   * logged and left for the repair loop.
   */
  public CompletionStage<Void> release(String value, String owner) {
    return storage.delete(prefix + value, current -> {
      if (!owner.equals(parse(current).path("owner").asText())) {
        throw new NotOwner();
      }
    }).handle((deleted, err) -> {
      Throwable c = err == null ? null : cause(err);
      if (c != null && !(c instanceof NotOwner)
          && !(c instanceof StorageException se && se.code() == StorageException.Code.KEY_NOT_FOUND)) {
        LOG.warn("could not release {} {} (the repair loop will): {}", range, value, c.toString());
      }
      return null;
    });
  }

  /** Every stored claim, in key order. */
  public CompletionStage<List<Reservation>> list() {
    return storage.list(prefix, ListOptions.DEFAULT).thenApply(result -> {
      List<Reservation> out = new ArrayList<>();
      for (StoredObject so : result.items()) {
        ObjectNode v = parse(so);
        Instant claimed = Times.tryParse(v.path("claimed").asText(null)).orElse(Instant.EPOCH);
        out.add(new Reservation(so.key().substring(prefix.length()), v.path("owner").asText(""),
            v.path("object").asText(""), claimed, so.modRevision()));
      }
      return out;
    });
  }

  /** Deletes {@code r} if its key is unchanged since it was listed; true when deleted. */
  public CompletionStage<Boolean> deleteUnchanged(Reservation r) {
    return storage.delete(prefix + r.value(), current -> {
      if (current.modRevision() != r.revision()) {
        throw new NotOwner();
      }
    }).handle((deleted, err) -> err == null);
  }

  /**
   * Starts following: lists the claims into {@code l}, then watches for changes from the list's revision. Completes
   * once the listed claims have been reported.
   */
  public CompletionStage<Void> follow(Listener l) {
    synchronized (lock) {
      listener = l;
    }
    return resync();
  }

  /**
   * Lists again: values freed since the last list (or marked taken by a lost claim and since released) are
   * reported freed, the listed ones taken, and the watch restarts from the new list's revision. Used after a
   * broken watch and by the periodic repair.
   */
  public CompletionStage<Void> resync() {
    return storage.list(prefix, ListOptions.DEFAULT).thenAccept(result -> {
      synchronized (lock) {
        if (closed || listener == null) {
          return;
        }
        if (watch != null) {
          watch.close();
        }
        Set<String> listed = new HashSet<>();
        for (StoredObject so : result.items()) {
          listed.add(so.key().substring(prefix.length()));
        }
        for (String v : known) {
          if (!listed.contains(v)) {
            listener.freed(v);
          }
        }
        listed.forEach(listener::taken);
        known = listed;
        long gen = ++generation;
        watch = storage.watch(prefix, result.revision(), new Follower(gen));
      }
    });
  }

  /** A lost claim: the value is someone's, whatever the watch has said so far. */
  private void noteTaken(String value) {
    synchronized (lock) {
      if (listener != null && !closed) {
        known.add(value);
        listener.taken(value);
      }
    }
  }

  private final class Follower implements WatchListener {
    private final long gen;

    Follower(long gen) {
      this.gen = gen;
    }

    @Override
    public void onEvent(WatchEvent event) {
      String value = event.object().key().substring(prefix.length());
      synchronized (lock) {
        if (gen != generation || closed) {
          return;
        }
        if (event.type() == WatchEvent.Type.DELETED) {
          known.remove(value);
          listener.freed(value);
        } else {
          known.add(value);
          listener.taken(value);
        }
      }
    }

    @Override
    public void onError(StorageException error) {
      synchronized (lock) {
        if (gen != generation || closed) {
          return;
        }
      }
      if (error.code() == StorageException.Code.UNAVAILABLE) {
        return; // storage closed
      }
      LOG.info("{} reservations watch ended ({}); listing again", range, error.getMessage());
      // Thread hop: the list completes on a storage thread.
      resync().exceptionally(e -> {
        LOG.warn("{} reservations cannot be listed ({}); the repair loop will retry", range, e.toString());
        return null;
      });
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (watch != null) {
        watch.close();
      }
    }
  }

  private static ObjectNode parse(StoredObject so) {
    try {
      JsonNode n = Codecs.mapper().readTree(so.value());
      return n instanceof ObjectNode o ? o : NODES.objectNode();
    } catch (IOException e) {
      return NODES.objectNode();
    }
  }

  private static Throwable cause(Throwable t) {
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** A delete refused because the claim is someone else's (or changed since it was listed). */
  private static final class NotOwner extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotOwner() {
      super("claimed by another owner", null, false, false);
    }
  }
}
