package dev.hostplane.apiserver.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.admission.Admission;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.FieldSelector;
import dev.hostplane.apiserver.api.LabelSelector;
import dev.hostplane.apiserver.storage.embedded.EmbeddedStorage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The generic store's verbs over the real embedded storage, with a minimal test type. */
@Timeout(30)
class GenericStoreTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @TempDir
  Path dir;
  private EmbeddedStorage storage;
  private GenericStore store;
  private ScheduledExecutorService timer;

  @BeforeEach
  void setUp() throws Exception {
    storage = EmbeddedStorage.open(dir, EmbeddedStorage.Options.DEFAULT);
    ResourceType widgets = ResourceCatalog.builder()
        .add("example.dev", "v1", "Widget", "widgets", true).status()
        .strategy(new Strategy() {
          @Override
          public boolean tracksGeneration() {
            return true;
          }
        }).done().build().all().get(0);
    store = new GenericStore(widgets, storage, Admission.chain(List.of()), Clock.systemUTC(), "/registry");
    timer = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void tearDown() {
    timer.shutdownNow();
    storage.close();
  }

  private static ObjectNode widget(String name, String color) {
    ObjectNode o = NODES.objectNode();
    o.put("apiVersion", "example.dev/v1");
    o.put("kind", "Widget");
    ObjectNode meta = o.putObject("metadata");
    if (name != null) {
      meta.put("name", name);
    }
    meta.putObject("labels").put("color", color);
    o.putObject("spec").put("size", 1);
    return o;
  }

  private static <T> T await(CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static ApiException failure(CompletionStage<?> s) {
    try {
      s.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ApiException ae) {
        return ae;
      }
      throw new AssertionError("expected an ApiException, got " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a failure");
  }

  @Test
  void createSetsServerFieldsAndRejectsDuplicates() throws Exception {
    ObjectNode created = await(store.create("ns", widget("a", "red"), Options.Write.DEFAULT));
    ObjectNode meta = (ObjectNode) created.get("metadata");
    assertEquals("ns", meta.get("namespace").asText());
    assertFalse(meta.get("uid").asText().isEmpty());
    assertNotNull(meta.get("creationTimestamp"));
    assertEquals(1, meta.get("generation").asInt());
    assertTrue(Long.parseLong(meta.get("resourceVersion").asText()) > 0);
    assertEquals(409, failure(store.create("ns", widget("a", "red"), Options.Write.DEFAULT)).code());
    assertEquals("AlreadyExists", failure(store.create("ns", widget("a", "red"), Options.Write.DEFAULT))
        .status().reason());
  }

  @Test
  void generateNameAddsFiveCharacters() throws Exception {
    ObjectNode w = widget(null, "red");
    ((ObjectNode) w.get("metadata")).put("generateName", "w-");
    ObjectNode created = await(store.create("ns", w, Options.Write.DEFAULT));
    String name = ObjectMeta.name(created);
    assertTrue(name.matches("w-[bcdfghjklmnpqrstvwxz2456789]{5}"), name);
  }

  @Test
  void invalidNameIs422WithCause() {
    ApiException e = failure(store.create("ns", widget("Not_Valid", "red"), Options.Write.DEFAULT));
    assertEquals(422, e.code());
    assertEquals("metadata.name", e.status().details().causes().get(0).field());
  }

  @Test
  void dryRunCreateWritesNothing() throws Exception {
    long before = storage.currentRevision();
    ObjectNode out = await(store.create("ns", widget("dry", "red"),
        new Options.Write(true, null, Options.Write.DEFAULT.user())));
    assertEquals("dry", ObjectMeta.name(out));
    assertEquals(before, storage.currentRevision());
    assertEquals(404, failure(store.get("ns", "dry", Options.Read.DEFAULT)).code());
  }

  @Test
  void staleResourceVersionConflicts() throws Exception {
    ObjectNode created = await(store.create("ns", widget("a", "red"), Options.Write.DEFAULT));
    ObjectNode first = created.deepCopy();
    ((ObjectNode) first.get("spec")).put("size", 2);
    GenericStore.Written w = await(store.update("ns", "a", "", first, Options.Write.DEFAULT));
    assertEquals(2, w.object().get("metadata").get("generation").asInt(), "spec change bumps generation");
    ObjectNode stale = created.deepCopy();
    ((ObjectNode) stale.get("spec")).put("size", 3);
    ApiException e = failure(store.update("ns", "a", "", stale, Options.Write.DEFAULT));
    assertEquals(409, e.code());
    assertEquals("Conflict", e.status().reason());
  }

  @Test
  void mainResourceUpdateKeepsStatusAndStatusUpdateKeepsSpec() throws Exception {
    ObjectNode created = await(store.create("ns", widget("a", "red"), Options.Write.DEFAULT));
    ObjectNode withStatus = created.deepCopy();
    withStatus.putObject("status").put("ready", true);
    ((ObjectNode) withStatus.get("spec")).put("size", 9);
    ObjectNode afterStatus = await(store.update("ns", "a", "status", withStatus, Options.Write.DEFAULT)).object();
    assertTrue(afterStatus.path("status").path("ready").asBoolean());
    assertEquals(1, afterStatus.path("spec").path("size").asInt(), "status update ignores spec");
    ObjectNode main = afterStatus.deepCopy();
    main.putObject("status").put("ready", false);
    ObjectNode afterMain = await(store.update("ns", "a", "", main, Options.Write.DEFAULT)).object();
    assertTrue(afterMain.path("status").path("ready").asBoolean(), "main update ignores status");
  }

  @Test
  void listPagesWithContinueAtOneRevision() throws Exception {
    for (int i = 0; i < 7; i++) {
      await(store.create("ns", widget("w" + i, i % 2 == 0 ? "red" : "blue"), Options.Write.DEFAULT));
    }
    List<String> names = new ArrayList<>();
    String cont = null;
    String rv = null;
    int pages = 0;
    do {
      ObjectNode page = await(store.list("ns", new Options.Read(LabelSelector.EVERYTHING, FieldSelector.EVERYTHING,
          3, cont, null, null, false, null, null)));
      pages++;
      if (rv == null) {
        rv = page.path("metadata").path("resourceVersion").asText();
        // A write between pages must not show up in later pages.
        await(store.create("ns", widget("w99", "red"), Options.Write.DEFAULT));
      }
      assertEquals(rv, page.path("metadata").path("resourceVersion").asText());
      page.withArray("items").forEach(i -> names.add(i.path("metadata").path("name").asText()));
      JsonNode c = page.path("metadata").get("continue");
      cont = c == null ? null : c.asText();
    } while (cont != null);
    assertEquals(List.of("w0", "w1", "w2", "w3", "w4", "w5", "w6"), names);
    assertEquals(3, pages);
  }

  @Test
  void rawListMatchesTheDecodedListPageByPage() throws Exception {
    for (int i = 0; i < 5; i++) {
      ObjectNode w = widget("r" + i, "red");
      // Fields in an order the store does not keep: metadata is moved first when stored.
      ObjectNode reordered = NODES.objectNode();
      reordered.set("spec", w.get("spec"));
      reordered.set("metadata", w.get("metadata"));
      reordered.put("kind", "Widget");
      reordered.put("apiVersion", "example.dev/v1");
      await(store.create("ns", reordered, Options.Write.DEFAULT));
    }
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    String cont = null;
    do {
      Options.Read page = new Options.Read(LabelSelector.EVERYTHING, FieldSelector.EVERYTHING, 2, cont, null, null,
          false, null, null);
      assertTrue(store.canListRaw(page));
      ObjectNode decoded = await(store.list("ns", page));
      GenericStore.RawList raw = await(store.listRaw("ns", page));
      assertEquals(decoded.get("metadata"), raw.listMeta());
      assertEquals(decoded.withArray("items").size(), raw.items().size());
      for (int i = 0; i < raw.items().size(); i++) {
        assertEquals(decoded.withArray("items").get(i), json.readTree(raw.items().get(i)));
      }
      JsonNode c = decoded.path("metadata").get("continue");
      cont = c == null ? null : c.asText();
    } while (cont != null);
  }

  @Test
  void listFiltersByLabelAndField() throws Exception {
    for (int i = 0; i < 6; i++) {
      await(store.create("ns", widget("w" + i, i % 3 == 0 ? "red" : "blue"), Options.Write.DEFAULT));
    }
    ObjectNode red = await(store.list("ns", new Options.Read(LabelSelector.parse("color=red"),
        FieldSelector.EVERYTHING, 1, null, null, null, false, null, null)));
    assertEquals(1, red.withArray("items").size());
    assertNotNull(red.path("metadata").get("continue"), "a filtered page with more matches continues");
    assertNull(red.path("metadata").get("remainingItemCount"), "no count when filtering");
    ObjectNode byName = await(store.list(null, new Options.Read(LabelSelector.EVERYTHING,
        FieldSelector.parse("metadata.name=w4"), 0, null, null, null, false, null, null)));
    assertEquals(1, byName.withArray("items").size());
    ApiException e = failure(store.list("ns", new Options.Read(LabelSelector.EVERYTHING,
        FieldSelector.parse("spec.size=1"), 0, null, null, null, false, null, null)));
    assertEquals(400, e.code());
    assertEquals("field label not supported: spec.size", e.getMessage());
  }

  @Test
  void exactListOfACompactedRevisionIsExpired() throws Exception {
    ObjectNode a = await(store.create("ns", widget("a", "red"), Options.Write.DEFAULT));
    String oldRv = ObjectMeta.resourceVersion(a);
    await(store.create("ns", widget("b", "red"), Options.Write.DEFAULT));
    await(storage.compact(storage.currentRevision()));
    ApiException e = failure(store.list("ns", new Options.Read(LabelSelector.EVERYTHING, FieldSelector.EVERYTHING,
        0, null, oldRv, "Exact", false, null, null)));
    assertEquals(410, e.code());
    assertEquals("Expired", e.status().reason());
  }

  @Test
  void finalizersHoldDeletionUntilRemoved() throws Exception {
    ObjectNode w = widget("f", "red");
    ((ObjectNode) w.get("metadata")).putArray("finalizers").add("example.dev/hold");
    await(store.create("ns", w, Options.Write.DEFAULT));
    GenericStore.Deletion d = await(store.delete("ns", "f", Options.Delete.DEFAULT));
    assertTrue(d.pending());
    assertNotNull(ObjectMeta.text(d.object(), "deletionTimestamp"));
    ObjectNode current = await(store.get("ns", "f", Options.Read.DEFAULT));
    ObjectMeta.removeFinalizer(current, "example.dev/hold");
    await(store.update("ns", "f", "", current, Options.Write.DEFAULT));
    assertEquals(404, failure(store.get("ns", "f", Options.Read.DEFAULT)).code());
  }

  @Test
  void deletePreconditionsAreChecked() throws Exception {
    ObjectNode a = await(store.create("ns", widget("a", "red"), Options.Write.DEFAULT));
    ApiException e = failure(store.delete("ns", "a",
        new Options.Delete(false, null, "other-uid", null, null, Options.Delete.DEFAULT.user())));
    assertEquals(409, e.code());
    GenericStore.Deletion d = await(store.delete("ns", "a",
        new Options.Delete(false, null, ObjectMeta.uid(a), ObjectMeta.resourceVersion(a), null,
            Options.Delete.DEFAULT.user())));
    assertFalse(d.pending());
    assertEquals(404, failure(store.delete("ns", "a", Options.Delete.DEFAULT)).code());
  }

  @Test
  void watchFromResourceVersionSeesLaterChangesInOrder() throws Exception {
    ObjectNode a = await(store.create("ns", widget("a", "red"), Options.Write.DEFAULT));
    List<String> events = new CopyOnWriteArrayList<>();
    java.util.concurrent.CountDownLatch three = new java.util.concurrent.CountDownLatch(3);
    WatchSession session = new WatchSession(store, "ns", new Options.Read(LabelSelector.parse("color=red"),
        FieldSelector.EVERYTHING, 0, null, ObjectMeta.resourceVersion(a), null, false, null, null),
        new WatchSession.EventSink() {
          @Override
          public boolean event(String type, ObjectNode object) {
            events.add(type + " " + ObjectMeta.name(object));
            three.countDown();
            return true;
          }

          @Override
          public void end() {}
        }, timer, WatchSession.Timing.DEFAULT);
    session.start();
    await(store.create("ns", widget("b", "red"), Options.Write.DEFAULT));
    await(store.create("ns", widget("c", "blue"), Options.Write.DEFAULT)); // filtered out
    ObjectNode b = await(store.get("ns", "b", Options.Read.DEFAULT));
    ((ObjectNode) b.get("metadata").get("labels")).put("color", "blue"); // leaves the selection: DELETED
    await(store.update("ns", "b", "", b, Options.Write.DEFAULT));
    await(store.delete("ns", "a", Options.Delete.DEFAULT));
    assertTrue(three.await(10, TimeUnit.SECONDS));
    session.stop();
    assertEquals(List.of("ADDED b", "DELETED b", "DELETED a"), events);
  }

  @Test
  void watchWithoutResourceVersionStartsWithCurrentObjectsAndBookmarks() throws Exception {
    await(store.create("ns", widget("a", "red"), Options.Write.DEFAULT));
    List<String> events = new CopyOnWriteArrayList<>();
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(2);
    WatchSession session = new WatchSession(store, "ns", new Options.Read(LabelSelector.EVERYTHING,
        FieldSelector.EVERYTHING, 0, null, "", "NotOlderThan", true, true, null),
        new WatchSession.EventSink() {
          @Override
          public boolean event(String type, ObjectNode object) {
            String end = object.path("metadata").path("annotations").path("k8s.io/initial-events-end").asText("");
            events.add(type + " " + (type.equals("BOOKMARK") ? end : ObjectMeta.name(object)));
            done.countDown();
            return true;
          }

          @Override
          public void end() {}
        }, timer, WatchSession.Timing.DEFAULT);
    session.start();
    assertTrue(done.await(10, TimeUnit.SECONDS));
    session.stop();
    assertEquals(List.of("ADDED a", "BOOKMARK true"), events.subList(0, 2));
  }

  @Test
  void watchFromCompactedRevisionEndsWithExpired() throws Exception {
    ObjectNode a = await(store.create("ns", widget("a", "red"), Options.Write.DEFAULT));
    await(store.create("ns", widget("b", "red"), Options.Write.DEFAULT));
    await(store.create("ns", widget("c", "red"), Options.Write.DEFAULT));
    await(storage.compact(storage.currentRevision()));
    List<ObjectNode> errors = new CopyOnWriteArrayList<>();
    java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
    WatchSession session = new WatchSession(store, "ns", new Options.Read(LabelSelector.EVERYTHING,
        FieldSelector.EVERYTHING, 0, null, ObjectMeta.resourceVersion(a), null, false, null, null),
        new WatchSession.EventSink() {
          @Override
          public boolean event(String type, ObjectNode object) {
            if (type.equals("ERROR")) {
              errors.add(object);
            }
            return true;
          }

          @Override
          public void end() {
            ended.countDown();
          }
        }, timer, WatchSession.Timing.DEFAULT);
    session.start();
    assertTrue(ended.await(10, TimeUnit.SECONDS));
    assertEquals(1, errors.size());
    assertEquals(410, errors.get(0).path("code").asInt());
    assertEquals("Expired", errors.get(0).path("reason").asText());
  }

  @Test
  void updateNoOpKeepsResourceVersion() throws Exception {
    ObjectNode a = await(store.create("ns", widget("a", "red"), Options.Write.DEFAULT));
    ObjectNode again = await(store.update("ns", "a", "", a.deepCopy(), Options.Write.DEFAULT)).object();
    assertEquals(ObjectMeta.resourceVersion(a), ObjectMeta.resourceVersion(again));
    ObjectNode changed = a.deepCopy();
    ((ObjectNode) changed.get("metadata").get("labels")).put("x", "y");
    ObjectNode after = await(store.update("ns", "a", "", changed, Options.Write.DEFAULT)).object();
    assertNotEquals(ObjectMeta.resourceVersion(a), ObjectMeta.resourceVersion(after));
    assertEquals(1, after.path("metadata").path("generation").asInt(), "metadata changes keep generation");
  }
}
