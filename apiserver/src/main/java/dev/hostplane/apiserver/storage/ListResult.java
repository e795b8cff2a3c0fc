package dev.hostplane.apiserver.storage;

import java.util.List;

/**
 * A page of a list, in key order, read at one consistent {@code revision}.
 *
 * @param more true when keys beyond this page exist at that revision
 * @param remaining how many keys follow this page at that revision (0 when {@code more} is false)
 */
public record ListResult(List<StoredObject> items, long revision, boolean more, long remaining) {
  public ListResult {
    items = List.copyOf(items);
  }
}
