package dev.hostplane.apiserver.api.protobuf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.MediaType;
import dev.hostplane.apiserver.api.protobuf.internal.Envelope;
import dev.hostplane.apiserver.api.protobuf.internal.Schemas;

/**
 * The Kubernetes protobuf codec ({@code application/vnd.kubernetes.protobuf}) for the built-in GA types. Objects
 * stay JSON trees; this converts at the edge, producing and consuming upstream's JSON shape. Stateless and
 * thread-safe; the schemas load on first use (a few hundred milliseconds, so call {@link #supports} at start-up to
 * warm it if that matters).
 *
 * <p>Wiring: a request body with Content-Type {@link #MEDIA_TYPE} goes through {@link #decode}; a response for a
 * client that prefers {@link #MEDIA_TYPE} goes through {@link #encode} when {@link #supports} says the kind has a
 * protobuf form (custom resources, Tables and other kinds without one fall back to JSON, as upstream's negotiation
 * does); a watch whose client accepts {@link #WATCH_MEDIA_TYPE} writes one {@link #encodeWatchEvent} frame per
 * event (the response Content-Type is {@link #WATCH_MEDIA_TYPE}).
 *
 * <p>JSON mapping (see {@code internal.GoJsonRules}): members are the proto field names, except JSONSchemaProps'
 * {@code $ref}, {@code $schema} and {@code x-kubernetes-*}; Time is RFC 3339 in whole seconds (null for the zero
 * time), MicroTime has six fractional digits, Duration is Go duration text, Quantity a string, IntOrString a number
 * or a string, bytes base64, RawExtension / FieldsV1 / apiextensions JSON the embedded JSON value (a nested protobuf
 * object when its bytes start with the magic). Decoding: a present empty string is omitted; present zero numbers and
 * false are kept (they may be a Go pointer's value) except for fields known to be plain {@code omitempty}. Encoding:
 * every JSON member with a proto field is written; members without one are dropped (protobuf cannot carry them).
 */
public final class KubeProtobuf {
  /** Content type of protobuf request and response bodies. */
  public static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
  /** Content type of a protobuf watch stream. */
  public static final String WATCH_MEDIA_TYPE = "application/vnd.kubernetes.protobuf;stream=watch";
  /** {@link #MEDIA_TYPE} parsed. */
  public static final MediaType MEDIA = MediaType.PROTOBUF;

  private KubeProtobuf() {}

  /** Whether objects of (apiVersion, kind) have a protobuf form here, e.g. ("apps/v1", "Deployment"). */
  public static boolean supports(String apiVersion, String kind) {
    return Schemas.get().lookup(apiVersion, kind).isPresent();
  }

  /**
   * Decodes a protobuf request body to the JSON tree upstream's JSON encoding would give, with {@code apiVersion}
   * and {@code kind} set from the envelope. Throws only {@link ApiException}: 400 BadRequest for a missing magic
   * ({@code provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]}), truncated or
   * malformed data ({@code unexpected EOF}, {@code proto: ...}), a missing kind or version, or a kind with no
   * protobuf form ({@code no kind "X" is registered for version "v" in scheme "..."}); the REST layer may prefix the
   * message as upstream does ({@code X in version "v" cannot be handled as a Y: ...}).
   */
  public static ObjectNode decode(byte[] body) {
    try {
      return Envelope.decode(body, 0);
    } catch (ApiException e) {
      throw e;
    } catch (RuntimeException e) {
      // Defensive: the reader is written to report everything as ApiException; nothing unchecked may escape.
      throw ApiException.badRequest("unable to decode protobuf body: " + e);
    }
  }

  /**
   * Encodes a single object or a list ({@code <Kind>List} with {@code metadata} and {@code items}), including
   * {@code v1} / {@code meta.k8s.io/v1} Status, as upstream writes it: the magic, then a {@code runtime.Unknown}
   * whose raw is the object's message. Throws {@link ApiException} 500 InternalError when the object has no
   * apiVersion or kind, its kind is not {@link #supports supported}, or a member has a JSON type its field cannot
   * hold (the message names the member's path). Does not modify {@code obj}.
   */
  public static byte[] encode(ObjectNode obj) {
    return Envelope.encode(obj);
  }

  /**
   * One frame of a protobuf watch stream for the event {@code type} ({@code ADDED}, {@code MODIFIED},
   * {@code DELETED}, {@code BOOKMARK}, {@code ERROR} with a Status object): a 4-byte big-endian length, then the
   * {@code meta.k8s.io/v1} WatchEvent message {type 1, object 2 {raw 1}} whose raw is {@link #encode}'s output for
   * {@code object}. Upstream's stream serializer writes the WatchEvent without magic or envelope; only the embedded
   * object carries them. Failures as for {@link #encode}.
   */
  public static byte[] encodeWatchEvent(String type, ObjectNode object) {
    return Envelope.encodeWatchEvent(type, object);
  }

  /** The object part of a watch event frame, for sharing between the frames of many watchers. */
  public static byte[] encodeWatchObject(ObjectNode object) {
    return Envelope.encodeEnveloped(object);
  }

  /** {@link #encodeWatchEvent} from the object's {@link #encodeWatchObject} bytes; equal output. */
  public static byte[] watchFrame(String type, byte[] encodedObject) {
    return Envelope.watchFrame(type, encodedObject);
  }
}
