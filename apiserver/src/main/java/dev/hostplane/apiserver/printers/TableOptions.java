package dev.hostplane.apiserver.printers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.internal.GoFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link TableConvertor} renders one response: upstream's {@code metav1.TableOptions} plus what the handler
 * knows from content negotiation and the list it read.
 *
 * @param version the {@code meta.k8s.io} version of the answer ({@code v=} of the negotiated
 *     {@code as=Table} or {@code as=PartialObjectMetadata[List]} media type)
 * @param includeObject what each row's {@code object} holds ({@code ?includeObject=})
 * @param noHeaders true to send {@code "columnDefinitions": null}, as upstream does for watch events after the
 *     first one
 * @param listMeta the list's {@code metadata} ({@code resourceVersion}, {@code continue},
 *     {@code remainingItemCount} are copied when present); null for none. Never modified.
 */
public record TableOptions(Version version, IncludeObject includeObject, boolean noHeaders, ObjectNode listMeta) {
  /** Version v1, row objects as PartialObjectMetadata, headers, no list metadata: what kubectl gets by default. */
  public static final TableOptions DEFAULT = new TableOptions(Version.V1, IncludeObject.METADATA, false, null);

  public TableOptions {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(includeObject, "includeObject");
  }

  public TableOptions withVersion(Version v) {
    return new TableOptions(v, includeObject, noHeaders, listMeta);
  }

  public TableOptions withIncludeObject(IncludeObject i) {
    return new TableOptions(version, i, noHeaders, listMeta);
  }

  public TableOptions withNoHeaders(boolean n) {
    return new TableOptions(version, includeObject, n, listMeta);
  }

  public TableOptions withListMeta(ObjectNode meta) {
    return new TableOptions(version, includeObject, noHeaders, meta);
  }

  /** The {@code meta.k8s.io} versions that serve Table and PartialObjectMetadata(List). */
  public enum Version {
    V1("v1"), V1BETA1("v1beta1");

    private final String name;

    Version(String name) {
      this.name = name;
    }

    /** {@code meta.k8s.io/v1} or {@code meta.k8s.io/v1beta1}. */
    public String apiVersion() {
      return "meta.k8s.io/" + name;
    }

    /**
     * The version named by a media type's {@code v=} parameter ({@code v1}, {@code v1beta1}); empty for any other
     * version, which the handler answers with 406 ({@code no Table exists in group version meta.k8s.io/v2}).
     */
    public static Optional<Version> of(String v) {
      for (Version version : values()) {
        if (version.name.equals(v)) {
          return Optional.of(version);
        }
      }
      return Optional.empty();
    }
  }

  /** Upstream's {@code IncludeObjectPolicy}: what a row's {@code object} carries. */
  public enum IncludeObject {
    /** {@code "object": null}. */
    NONE("None"),
    /** The default: a {@code PartialObjectMetadata} of the Table's version with the object's whole metadata. */
    METADATA("Metadata"),
    /** The object itself, in the version it was served in. */
    OBJECT("Object");

    private final String wire;

    IncludeObject(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    /**
     * The policy for an {@code ?includeObject=} value: null or empty is {@link #METADATA}; anything other than the
     * three names is a 400 BadRequest worded as upstream's ({@code Unable to convert to Table as requested:
     * includeObject: Invalid value: "x": must be 'Metadata', 'Object', 'None', or empty}).
     */
    public static IncludeObject parse(String value) {
      if (value == null || value.isEmpty()) {
        return METADATA;
      }
      for (IncludeObject i : values()) {
        if (i.wire.equals(value)) {
          return i;
        }
      }
      throw ApiException.badRequest("Unable to convert to Table as requested: includeObject: Invalid value: "
          + GoFormat.quote(value) + ": must be 'Metadata', 'Object', 'None', or empty");
    }
  }
}
