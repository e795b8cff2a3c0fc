package dev.hostplane.apiserver.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.Times;
import dev.hostplane.apiserver.storage.ListOptions;
import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.StoredObject;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * The advertised endpoints of the live apiservers, shared through storage: upstream's master leases
 * ({@code /registry/masterleases/<ip>}, a TTL of 15 s refreshed every 10 s). The storage SPI has no TTL, so each
 * key's value carries expiry times and an expired entry counts as absent:
 * {@code {"ip":"192.0.2.10","holders":{"<apiserver id>":{"port":6443,"expires":"<MicroTime>"}}}}. One key per
 * address, as upstream, but with one entry per apiserver: replicas that advertise the same address (the managed
 * setup) keep it alive together, and one of them leaving does not withdraw it from the others.
 *
 * <p>Any apiserver deletes a key whose entries have all expired (with a precondition on its revision, so a key
 * refreshed meanwhile stays), and drops expired entries of others when it refreshes its own.
 *
 * <p>Threading: every method blocks its caller (a controller thread) on storage futures.
 */
final class MasterLeases {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** A live apiserver endpoint. */
  record Endpoint(String ip, int port) implements Comparable<Endpoint> {
    @Override
    public int compareTo(Endpoint o) {
      int c = ip.compareTo(o.ip);
      return c != 0 ? c : Integer.compare(port, o.port);
    }
  }

  private final Storage storage;
  private final String prefix;
  private final Clock clock;
  private final Duration ttl;

  MasterLeases(Storage storage, String storagePrefix, Clock clock, Duration ttl) {
    this.storage = storage;
    this.prefix = (storagePrefix.endsWith("/") ? storagePrefix : storagePrefix + "/") + "masterleases/";
    this.clock = clock;
    this.ttl = ttl;
  }

  /** Records (or extends) {@code holder}'s entry for {@code ip}: live for another TTL from now. */
  void refresh(String ip, int port, String holder) {
    Blocking.await(storage.guaranteedUpdate(prefix + ip, true, current -> {
      Instant now = clock.instant();
      ObjectNode value = current == null ? NODES.objectNode() : parse(current);
      value.put("ip", ip);
      ObjectNode holders = child(value, "holders");
      dropExpired(holders, now);
      ObjectNode entry = holders.putObject(holder);
      entry.put("port", port);
      entry.put("expires", Times.formatMicroTime(now.plus(ttl)));
      return CompletableFuture.completedFuture(Codecs.writeJson(value));
    }));
  }

  /** Withdraws {@code holder}'s entry for {@code ip}; the key goes when no live entry is left. */
  void remove(String ip, String holder) {
    String key = prefix + ip;
    try {
      StoredObject after = Blocking.await(storage.guaranteedUpdate(key, false, current -> {
        ObjectNode value = parse(current);
        ObjectNode holders = child(value, "holders");
        holders.remove(holder);
        dropExpired(holders, clock.instant());
        return CompletableFuture.completedFuture(Codecs.writeJson(value));
      }));
      if (child(parse(after), "holders").isEmpty()) {
        deleteUnchanged(after);
      }
    } catch (StorageException e) {
      if (e.code() != StorageException.Code.KEY_NOT_FOUND) {
        throw e;
      }
    }
  }

  /**
   * The endpoints with a live entry, sorted by address then port; keys without one are deleted on the way (by
   * whichever apiserver sees them first).
   */
  List<Endpoint> live() {
    Instant now = clock.instant();
    TreeSet<Endpoint> out = new TreeSet<>();
    for (StoredObject so : Blocking.await(storage.list(prefix, ListOptions.DEFAULT)).items()) {
      ObjectNode value = parse(so);
      String ip = value.path("ip").asText(so.key().substring(prefix.length()));
      boolean any = false;
      for (Iterator<Map.Entry<String, JsonNode>> it = value.path("holders").fields(); it.hasNext(); ) {
        JsonNode entry = it.next().getValue();
        if (!expired(entry, now)) {
          any = true;
          out.add(new Endpoint(ip, entry.path("port").asInt()));
        }
      }
      if (!any) {
        deleteUnchanged(so);
      }
    }
    return new ArrayList<>(out);
  }

  private void deleteUnchanged(StoredObject seen) {
    try {
      Blocking.await(storage.delete(seen.key(), current -> {
        if (current.modRevision() != seen.modRevision()) {
          throw new StorageException(StorageException.Code.KEY_EXISTS, seen.key(), current.modRevision(),
              "master lease " + seen.key() + " was refreshed");
        }
      }));
    } catch (StorageException e) {
      // gone already, or refreshed meanwhile: either way it is not ours to delete now
    }
  }

  private static void dropExpired(ObjectNode holders, Instant now) {
    List<String> gone = new ArrayList<>();
    holders.fields().forEachRemaining(e -> {
      if (expired(e.getValue(), now)) {
        gone.add(e.getKey());
      }
    });
    holders.remove(gone);
  }

  private static boolean expired(JsonNode entry, Instant now) {
    Optional<Instant> expires = Times.tryParse(entry.path("expires").asText(null));
    return expires.isEmpty() || !expires.get().isAfter(now);
  }

  private static ObjectNode parse(StoredObject so) {
    try {
      JsonNode n = Codecs.mapper().readTree(so.value());
      return n instanceof ObjectNode o ? o : NODES.objectNode();
    } catch (IOException e) {
      return NODES.objectNode(); // unreadable: treated as expired, and replaced or deleted
    }
  }

  private static ObjectNode child(ObjectNode obj, String field) {
    JsonNode n = obj.get(field);
    return n instanceof ObjectNode o ? o : obj.putObject(field);
  }
}
