package dev.hostplane.apiserver.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.admission.Admission;
import dev.hostplane.apiserver.storage.embedded.EmbeddedStorage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirrorTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  @TempDir
  Path dir;
  private EmbeddedStorage storage;
  private GenericStore store;
  private final List<String> changes = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    storage = EmbeddedStorage.open(dir, EmbeddedStorage.Options.DEFAULT);
    ResourceType widgets = ResourceCatalog.builder().add("example.dev", "v1", "Widget", "widgets", true)
        .strategy(new Strategy() { }).done().build().all().get(0);
    store = new GenericStore(widgets, storage, Admission.chain(List.of()), Clock.systemUTC(), "/registry");
  }

  @AfterEach
  void tearDown() {
    storage.close();
  }

  private static ObjectNode widget(String name, String color) {
    ObjectNode o = NODES.objectNode();
    o.put("apiVersion", "example.dev/v1");
    o.put("kind", "Widget");
    o.putObject("metadata").put("name", name).put("namespace", "ns");
    o.put("color", color);
    return o;
  }

  private Mirror<String> mirror() {
    return new Mirror<>(store, o -> o.path("metadata").path("name").asText() + "=" + o.path("color").asText(),
        (key, before, after) -> changes.add(before + "->" + after));
  }

  @Test
  void listsThenFollowsEveryChange() throws Exception {
    store.create("ns", widget("a", "red"), Options.Write.DEFAULT).toCompletableFuture().get(10, TimeUnit.SECONDS);
    try (Mirror<String> m = mirror()) {
      m.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertTrue(m.synced());
      assertEquals("a=red", m.get("ns", "a"));
      assertEquals(List.of("null->a=red"), changes);

      store.create("ns", widget("b", "blue"), Options.Write.DEFAULT).toCompletableFuture().get(10, TimeUnit.SECONDS);
      store.update("ns", "a", "", widget("a", "green"), Options.Write.DEFAULT).toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      store.delete("ns", "b", Options.Delete.DEFAULT).toCompletableFuture().get(10, TimeUnit.SECONDS);
      eventually(() -> changes.size() == 4);
      assertEquals(List.of("null->a=red", "null->b=blue", "a=red->a=green", "b=blue->null"), changes);
      assertEquals("a=green", m.get("ns", "a"));
      assertNull(m.get("ns", "b"));
    }
  }

  @Test
  void nothingArrivesAfterClose() throws Exception {
    Mirror<String> m = mirror();
    m.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
    m.close();
    store.create("ns", widget("c", "red"), Options.Write.DEFAULT).toCompletableFuture().get(10, TimeUnit.SECONDS);
    Thread.sleep(200);
    assertEquals(List.of(), changes);
  }

  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(condition.getAsBoolean());
  }
}
