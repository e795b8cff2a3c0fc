package dev.hostplane.apiserver.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.authn.ServiceAccountTokens;
import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.registry.GenericStore;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Options;
import dev.hostplane.apiserver.registry.Registry;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.WatchEvent;
import dev.hostplane.apiserver.storage.WatchListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's service account tokens controller, for Secrets of type {@code kubernetes.io/service-account-token}:
 * a Secret annotated {@code kubernetes.io/service-account.name} gets a legacy token of that service account
 * ({@code data.token}), {@code data["ca.crt"]}, {@code data.namespace} and the
 * {@code kubernetes.io/service-account.uid} annotation; a Secret whose service account does not exist (or has
 * another uid) is deleted, and so are a service account's token Secrets when it is deleted.
 *
 * <p>Threading: watch events (secrets, service accounts) hop to {@code executor}, where all work runs and blocks
 * on store futures; a periodic resync of every token Secret catches anything missed. Replicas may all run it: the
 * fill is a compare-and-swap that leaves a Secret already holding a token alone.
 */
public final class ServiceAccountTokenController implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceAccountTokenController.class);
  public static final String TOKEN_TYPE = "kubernetes.io/service-account-token";
  public static final String NAME_ANNOTATION = "kubernetes.io/service-account.name";
  public static final String UID_ANNOTATION = "kubernetes.io/service-account.uid";
  static final UserInfo CONTROLLER = new UserInfo("system:kube-controller-manager", "",
      List.of(UserInfo.AUTHENTICATED), Map.of());

  private final Registry registry;
  private final ServiceAccountTokens tokens;
  private final byte[] rootCa;
  private final ScheduledExecutorService executor;
  private final Duration resync;
  private final List<dev.hostplane.apiserver.storage.Storage.Watch> watches = new ArrayList<>();

  /**
   * @param rootCa the PEM written as {@code ca.crt} (the CA that signed the serving certificate)
   */
  public ServiceAccountTokenController(Registry registry, ServiceAccountTokens tokens, byte[] rootCa,
      ScheduledExecutorService executor, Duration resync) {
    this.registry = registry;
    this.tokens = tokens;
    this.rootCa = rootCa.clone();
    this.executor = executor;
    this.resync = resync;
  }

  public synchronized void start() {
    GenericStore secrets = secrets();
    GenericStore accounts = registry.store("", "v1", "serviceaccounts");
    watches.add(registry.storage().watch(secrets.listPrefix(null), 0, listener(event -> {
      if (event.type() != WatchEvent.Type.DELETED) {
        ObjectNode secret = secrets.decode(event.object());
        // Thread hop: from the watch dispatcher to the controller executor.
        executor.execute(() -> syncSecret(secret));
      }
    })));
    watches.add(registry.storage().watch(accounts.listPrefix(null), 0, listener(event -> {
      if (event.type() == WatchEvent.Type.DELETED) {
        ObjectNode sa = accounts.decode(event.object());
        // Thread hop: from the watch dispatcher to the controller executor.
        executor.execute(() -> deleteTokensOf(ObjectMeta.namespace(sa), ObjectMeta.name(sa), ObjectMeta.uid(sa)));
      }
    })));
    executor.scheduleWithFixedDelay(this::resyncAll, 0, resync.toMillis(), TimeUnit.MILLISECONDS);
  }

  private WatchListener listener(java.util.function.Consumer<WatchEvent> onEvent) {
    return new WatchListener() {
      @Override
      public void onEvent(WatchEvent event) {
        onEvent.accept(event);
      }

      @Override
      public void onError(StorageException error) {
        LOG.warn("service account token watch ended: {}; relying on resync", error.getMessage());
      }
    };
  }

  private void resyncAll() {
    try {
      ObjectNode list = secrets().list(null, Options.Read.DEFAULT).toCompletableFuture().get(30, TimeUnit.SECONDS);
      for (JsonNode s : list.withArray("items")) {
        syncSecret((ObjectNode) s);
      }
    } catch (Exception e) {
      LOG.warn("service account token resync failed: {}", e.toString());
    }
  }

  /** Fills or deletes one token Secret. Blocks this controller thread. */
  private void syncSecret(ObjectNode secret) {
    if (!TOKEN_TYPE.equals(secret.path("type").asText()) || ObjectMeta.isDeleting(secret)) {
      return;
    }
    String ns = ObjectMeta.namespace(secret);
    String name = ObjectMeta.name(secret);
    JsonNode annotations = secret.path("metadata").path("annotations");
    String saName = annotations.path(NAME_ANNOTATION).asText("");
    String saUid = annotations.path(UID_ANNOTATION).asText("");
    try {
      ObjectNode sa = serviceAccount(ns, saName);
      if (sa == null || (!saUid.isEmpty() && !saUid.equals(ObjectMeta.uid(sa)))) {
        LOG.info("deleting token secret {}/{}: service account {} does not exist", ns, name, saName);
        delete(ns, name, ObjectMeta.uid(secret));
        return;
      }
      if (!secret.path("data").path("token").asText("").isEmpty()) {
        return;
      }
      String uid = ObjectMeta.uid(sa);
      secrets().updateDirect(ns, name, current -> {
        JsonNode data = current.path("data");
        if (!data.path("token").asText("").isEmpty() || !uid.equals(
            current.path("metadata").path("annotations").path(UID_ANNOTATION).asText(uid))) {
          return current; // filled meanwhile (another replica), or now for another account
        }
        ObjectNode next = current.deepCopy();
        ObjectNode meta = ObjectMeta.meta(next);
        meta.with("annotations").put(UID_ANNOTATION, uid);
        ObjectNode d = next.with("data");
        d.put("token", b64(tokens.issueLegacy(ns, saName, uid, name).getBytes(StandardCharsets.UTF_8)));
        d.put("ca.crt", b64(rootCa));
        d.put("namespace", b64(ns.getBytes(StandardCharsets.UTF_8)));
        return next;
      }).toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("token secret {}/{} not synced: {}", ns, name, e.toString());
    }
  }

  private void deleteTokensOf(String ns, String saName, String saUid) {
    try {
      ObjectNode list = secrets().list(ns, Options.Read.DEFAULT).toCompletableFuture().get(30, TimeUnit.SECONDS);
      for (JsonNode s : list.withArray("items")) {
        JsonNode a = s.path("metadata").path("annotations");
        String uid = a.path(UID_ANNOTATION).asText("");
        if (TOKEN_TYPE.equals(s.path("type").asText()) && saName.equals(a.path(NAME_ANNOTATION).asText(""))
            && (uid.isEmpty() || uid.equals(saUid))) {
          delete(ns, ObjectMeta.name((ObjectNode) s), ObjectMeta.uid((ObjectNode) s));
        }
      }
    } catch (Exception e) {
      LOG.warn("token secrets of {}/{} not deleted: {}", ns, saName, e.toString());
    }
  }

  private ObjectNode serviceAccount(String ns, String name) throws Exception {
    if (name.isEmpty()) {
      return null;
    }
    try {
      return registry.store("", "v1", "serviceaccounts").get(ns, name, Options.Read.DEFAULT)
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (cause(e) instanceof ApiException ae && ae.status().code() == 404) {
        return null;
      }
      throw e;
    }
  }

  private void delete(String ns, String name, String uid) throws Exception {
    try {
      secrets().delete(ns, name, new Options.Delete(false, null, uid, null, null, CONTROLLER))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (!(cause(e) instanceof ApiException ae && (ae.status().code() == 404 || ae.status().code() == 409))) {
        throw e;
      }
    }
  }

  private static Throwable cause(Throwable t) {
    while ((t instanceof java.util.concurrent.ExecutionException || t instanceof java.util.concurrent.CompletionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private GenericStore secrets() {
    return registry.store("", "v1", "secrets");
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  @Override
  public synchronized void close() {
    watches.forEach(dev.hostplane.apiserver.storage.Storage.Watch::close);
    watches.clear();
  }
}
