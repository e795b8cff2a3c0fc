package dev.hostplane.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.patch.internal.JsonTrees;
import dev.hostplane.apiserver.patch.internal.SmpFailure;
import dev.hostplane.apiserver.patch.internal.StrategicMerger;
import java.util.Objects;

/**
 * Strategic merge patch ({@code application/strategic-merge-patch+json}) applied server-side, as kube-apiserver
 * applies it ({@code strategicpatch.StrategicMergeMapPatch} from k8s.io/apimachinery): a JSON merge patch whose
 * lists merge by the schema's {@code x-kubernetes-patch-strategy} / {@code x-kubernetes-patch-merge-key}, with the
 * directives {@code $patch} (replace, delete), {@code $retainKeys}, {@code $setElementOrder/<list>} and
 * {@code $deleteFromPrimitiveList/<list>}. Positions the schema does not describe merge like a JSON merge patch
 * (objects by member, lists replaced); whether a type accepts strategic merge at all (upstream answers 415 for
 * custom resources) is the caller's decision.
 *
 * <p>Contract: inputs are never modified; the result shares no mutable node with them (callers may change it
 * freely, and may apply the same patch again, e.g. on a retried update); a failure changes nothing. Thread-safe.
 *
 * <p>Errors, as upstream's PATCH handler answers them: a patch that is not a JSON object is 400 BadRequest with
 * the decoder's message ({@code null} is an empty patch, as it decodes to a nil map upstream); malformed
 * {@code $retainKeys}, {@code $setElementOrder} and {@code $deleteFromPrimitiveList} directives are 400
 * BadRequest; lists of lists are 422 Invalid with the generic message; every other failure (an unknown
 * {@code $patch} value, a merge-list item without its merge key, a {@code $setElementOrder} that is not a list or
 * disagrees with the patch list, mixed item types...) is what upstream returns for errors it does not classify:
 * 500 with no reason and upstream's message, e.g. {@code map: map[image:nginx] does not contain declared merge key:
 * name}.
 *
 * <p>Where the result differs from upstream's typed round trip (patched map, decoded into the Go type, encoded
 * again): values the patch supplies whole lose null members and directive keys here, which the typed decoding
 * drops upstream; unknown non-directive fields stay (pruning unknown fields is the caller's, as for any write);
 * {@code $patch: delete} on a map yields {@code {}} as upstream's map does. Member order: the original's, new
 * members after it in patch order.
 */
public final class StrategicMergePatch {
  private StrategicMergePatch() {}

  /**
   * Applies {@code patch} to {@code original} with the patch metadata of {@code schema} (the type's root; null
   * means {@link PatchSchema#UNKNOWN}).
   *
   * @throws ApiException as described in the class comment; nothing is changed when it is thrown
   */
  public static ObjectNode apply(ObjectNode original, JsonNode patch, PatchSchema schema) {
    Objects.requireNonNull(original, "original");
    if (patch == null || patch.isNull() || patch.isMissingNode()) {
      return (ObjectNode) JsonTrees.copy(original);
    }
    if (!patch.isObject()) {
      throw ApiException.badRequest("json: cannot unmarshal " + goKind(patch)
          + " into Go value of type map[string]interface {}");
    }
    try {
      return new StrategicMerger(true).mergeMap(original, (ObjectNode) patch,
          schema == null ? PatchSchema.UNKNOWN : schema);
    } catch (SmpFailure f) {
      throw toApiException(f);
    }
  }

  /** {@code interpretStrategicMergePatchError}, then how the handler writes an unclassified error. */
  static ApiException toApiException(SmpFailure f) {
    return switch (f.kind()) {
      case BAD_REQUEST -> ApiException.badRequest(f.getMessage());
      case UNPROCESSABLE -> new ApiException(new Status(422, "Invalid",
          "the server rejected our request due to an error in our request",
          new Status.Details(null, null, null, null, null, null)));
      case OTHER -> new ApiException(Status.of(500, "", f.getMessage()));
    };
  }

  private static String goKind(JsonNode n) {
    return n.isArray() ? "array" : n.isTextual() ? "string" : n.isNumber() ? "number" : n.isBoolean() ? "bool"
        : "object";
  }
}
