package dev.hostplane.apiserver.patch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.patch.internal.GoValues.GoType;

/**
 * Why a strategic merge patch could not be applied, worded as upstream's {@code strategicpatch} and
 * {@code mergepatch} errors are, with the class of answer upstream's PATCH handler gives each
 * ({@code interpretStrategicMergePatchError}). Unchecked, without a stack trace; never leaves the patch package.
 * Not API.
 */
public final class SmpFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** How the PATCH handler answers: 400 BadRequest, 422 Invalid, or (any other error) 500 with no reason. */
  public enum Kind { BAD_REQUEST, UNPROCESSABLE, OTHER }

  private final Kind kind;

  private SmpFailure(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** {@code mergepatch.ErrBadPatchFormatForPrimitiveList}: a malformed {@code $deleteFromPrimitiveList} key. */
  static SmpFailure badPrimitiveListFormat() {
    return new SmpFailure(Kind.BAD_REQUEST, "invalid patch format of primitive list");
  }

  /** {@code mergepatch.ErrBadPatchFormatForRetainKeys}: not a list, or the patch sets a key it does not retain. */
  static SmpFailure badRetainKeysFormat() {
    return new SmpFailure(Kind.BAD_REQUEST, "invalid patch format of retainKeys");
  }

  /** {@code mergepatch.ErrBadPatchFormatForSetElementOrderList}: a malformed {@code $setElementOrder} key. */
  static SmpFailure badSetElementOrderFormat() {
    return new SmpFailure(Kind.BAD_REQUEST, "invalid patch format of setElementOrder list");
  }

  /** {@code mergepatch.ErrNoListOfLists}. */
  static SmpFailure noListOfLists() {
    return new SmpFailure(Kind.UNPROCESSABLE, "lists of lists are not supported");
  }

  /** {@code mergepatch.ErrNoMergeKey}. */
  static SmpFailure noMergeKey(JsonNode map, String mergeKey) {
    return other("map: " + GoValues.v(map) + " does not contain declared merge key: " + mergeKey);
  }

  /** {@code mergepatch.ErrBadArgType}: a value of the wrong JSON type where a list or a map was expected. */
  static SmpFailure badArgType(GoType expected, JsonNode actual) {
    return other("expected a " + expected.goName() + ", but received a " + GoValues.typeOf(actual).goName());
  }

  /** {@code mergepatch.ErrBadPatchType}: a {@code $patch} value that is not a known directive. */
  static SmpFailure badPatchType(JsonNode directive, JsonNode map) {
    return other("unknown patch type: " + GoValues.s(directive) + " in map: " + GoValues.v(map));
  }

  /** Any other upstream error, which the PATCH handler passes on as a 500 with upstream's message. */
  static SmpFailure other(String message) {
    return new SmpFailure(Kind.OTHER, message);
  }
}
