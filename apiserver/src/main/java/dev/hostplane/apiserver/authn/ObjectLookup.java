package dev.hostplane.apiserver.authn;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads the core/v1 objects tokens are bound to ({@code serviceaccounts}, {@code secrets}, {@code pods},
 * {@code nodes}), as upstream's service account token getter does through informers. Called on API worker
 * threads; may block briefly. Returned objects are shared and must not be mutated.
 */
@FunctionalInterface
public interface ObjectLookup {
  /** The object, or null when there is none; other failures throw. {@code namespace} is "" for nodes. */
  ObjectNode find(String resource, String namespace, String name);
}
