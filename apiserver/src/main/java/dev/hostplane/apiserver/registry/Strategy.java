package dev.hostplane.apiserver.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Per-type behaviour, in the spirit of upstream's RESTCreateStrategy/RESTUpdateStrategy. {@link GenericStore}
 * fixes the order in which these run: applyDefaults -> prepareForCreate/prepareForUpdate -> validate/validateUpdate.
 * The prepare methods and applyDefaults may mutate {@code obj}; validation never does. Objects are in the storage
 * version's shape. Implementations are stateless or thread-safe.
 */
public interface Strategy {
  /** Fills unset fields with upstream's defaults. Runs on every create and update body. */
  default void applyDefaults(ObjectNode obj) {}

  /** Clears or sets fields a client may not choose on create (status for most types, spec-derived fields). */
  default void prepareForCreate(ObjectNode obj) {}

  /** Carries fields a client may not change on update from {@code old} into {@code obj}. */
  default void prepareForUpdate(ObjectNode obj, ObjectNode old) {}

  /** Type-specific validation of a new object (object metadata is validated by the store). */
  default List<Status.Cause> validate(ObjectNode obj) {
    return List.of();
  }

  /** Validation of an update; by default the create rules plus nothing else. */
  default List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    return validate(obj);
  }

  /** True when spec changes bump {@code metadata.generation}. */
  default boolean tracksGeneration() {
    return false;
  }

  /** True when an update (PUT) of a missing object creates it. */
  default boolean allowCreateOnUpdate() {
    return false;
  }

  /**
   * Field selectors beyond {@code metadata.name} and {@code metadata.namespace}: label -> value extractor (null
   * when the field is absent, which matches as "").
   */
  default Map<String, Function<ObjectNode, String>> selectableFields() {
    return Map.of();
  }

  /** True when DELETE answers with the deleted object rather than a Success Status. */
  default boolean returnsDeletedObject() {
    return false;
  }

  /** The shared no-op strategy. */
  Strategy DEFAULT = new Strategy() {};
}
