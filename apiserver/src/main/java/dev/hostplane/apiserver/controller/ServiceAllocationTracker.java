package dev.hostplane.apiserver.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.registry.GenericStore;
import dev.hostplane.apiserver.registry.HoldsAllocations;
import dev.hostplane.apiserver.registry.Options;
import dev.hostplane.apiserver.registry.Registry;
import java.util.concurrent.TimeUnit;

/**
 * Rebuilds the in-memory cluster IP and node port allocators from the stored Services at start-up, before the
 * server accepts requests. While running, the generic store keeps them exact (allocations are taken and given back
 * with the writes that hold them). The allocators are per process: one apiserver per storage.
 */
public final class ServiceAllocationTracker {
  private ServiceAllocationTracker() {}

  /** Marks every stored Service's IPs and ports as taken. Blocks the calling (start-up) thread. */
  public static void start(Registry registry) throws java.io.IOException {
    GenericStore services = registry.store("", "v1", "services");
    if (!(services.type().strategy() instanceof HoldsAllocations holder)) {
      return;
    }
    try {
      ObjectNode list = services.list(null, Options.Read.DEFAULT).toCompletableFuture().get(60, TimeUnit.SECONDS);
      for (JsonNode svc : list.withArray("items")) {
        holder.markUsed((ObjectNode) svc);
      }
    } catch (Exception e) {
      throw new java.io.IOException("cannot read the stored Services to rebuild the IP allocator: " + e, e);
    }
  }
}
