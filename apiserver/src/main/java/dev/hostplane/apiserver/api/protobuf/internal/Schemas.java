package dev.hostplane.apiserver.api.protobuf.internal;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import io.kubernetes.client.proto.IntStr;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Resource;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Admissionregistration;
import io.kubernetes.client.proto.V1Apps;
import io.kubernetes.client.proto.V1Authentication;
import io.kubernetes.client.proto.V1Authorization;
import io.kubernetes.client.proto.V1Autoscaling;
import io.kubernetes.client.proto.V1Batch;
import io.kubernetes.client.proto.V1Certificates;
import io.kubernetes.client.proto.V1Networking;
import io.kubernetes.client.proto.V1Policy;
import io.kubernetes.client.proto.V1Rbac;
import io.kubernetes.client.proto.V1Scheduling;
import io.kubernetes.client.proto.V1Storage;
import io.kubernetes.client.proto.V1beta1Apiextensions;
import io.kubernetes.client.proto.V2beta2Autoscaling;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Kubernetes protobuf schemas: every message of the GA built-in API groups, found by walking the file
 * descriptors of {@code io.kubernetes:client-java-proto} (plus {@link SchemaSupplement} for what it lacks), and the
 * (apiVersion, kind) table derived from the descriptors' proto packages. Built once, on first use (a few hundred
 * milliseconds); immutable and thread-safe after that.
 *
 * <p>Kinds: in a package {@code k8s.io.api.<group>.<version>} (and apiextensions'), every top-level message whose
 * first field is {@code metadata} of type ObjectMeta or ListMeta (objects and their lists), other than the
 * {@code *Spec} and {@code *Template} messages embedded in objects ({@code PodTemplate} excepted). Only GA versions
 * ({@code v1}, {@code v2}) are registered, as kube-apiserver 1.33 serves by default. {@code meta.k8s.io/v1} kinds
 * (Status, WatchEvent, the option kinds, discovery documents, PartialObjectMetadata) are registered under both
 * {@code meta.k8s.io/v1} and {@code v1}, where upstream encodes its unversioned types.
 */
public final class Schemas {
  private static final String META_PACKAGE = "k8s.io.apimachinery.pkg.apis.meta.v1";
  private static final Pattern API_PACKAGE = Pattern.compile("k8s\\.io\\.api\\.([a-z0-9]+)\\.(v[0-9]+)");
  private static final Pattern APIEXT_PACKAGE =
      Pattern.compile("k8s\\.io\\.apiextensions_apiserver\\.pkg\\.apis\\.apiextensions\\.(v[0-9]+)");
  /** Groups without the {@code .k8s.io} suffix, and those with a longer one. */
  private static final Set<String> LEGACY_GROUPS = Set.of("apps", "autoscaling", "batch", "policy", "extensions");
  private static final Map<String, String> GROUP_NAMES = Map.of(
      "core", "",
      "rbac", "rbac.authorization.k8s.io",
      "flowcontrol", "flowcontrol.apiserver.k8s.io",
      "apiserverinternal", "internal.apiserver.k8s.io");
  private static final List<String> META_KINDS = List.of("Status", "WatchEvent", "DeleteOptions", "CreateOptions",
      "UpdateOptions", "PatchOptions", "GetOptions", "ListOptions", "APIVersions", "APIGroupList", "APIGroup",
      "APIResourceList", "PartialObjectMetadata", "PartialObjectMetadataList");

  private static final class Holder {
    static final Schemas INSTANCE = new Schemas();
  }

  /** A registered kind and the table of its message. */
  public record Kind(String apiVersion, String kind, MessageInfo info) {}

  private final Map<String, Kind> kinds; // "apiVersion\0kind"
  private final MessageInfo watchEvent;

  /** The one instance; the first call builds it. */
  public static Schemas get() {
    return Holder.INSTANCE;
  }

  private Schemas() {
    List<FileDescriptor> files = rebuild();
    Map<Descriptor, MessageInfo> infos = new HashMap<>();
    for (FileDescriptor f : files) {
      for (Descriptor d : f.getMessageTypes()) {
        collect(d, infos);
      }
    }
    Map<String, MessageInfo> names = new HashMap<>();
    for (MessageInfo mi : infos.values()) {
      mi.link(infos);
      names.put(mi.fullName(), mi);
    }
    this.watchEvent = names.get(META_PACKAGE + ".WatchEvent");
    Map<String, Kind> table = new LinkedHashMap<>();
    for (FileDescriptor f : files) {
      String apiVersion = apiVersionOf(f.getPackage());
      if (apiVersion == null) {
        continue;
      }
      for (Descriptor d : f.getMessageTypes()) {
        if (isKind(d)) {
          table.put(apiVersion + "\0" + d.getName(), new Kind(apiVersion, d.getName(), infos.get(d)));
        }
      }
    }
    for (String k : META_KINDS) {
      MessageInfo mi = names.get(META_PACKAGE + "." + k);
      if (mi != null) {
        table.put("meta.k8s.io/v1\0" + k, new Kind("meta.k8s.io/v1", k, mi));
        table.putIfAbsent("v1\0" + k, new Kind("v1", k, mi));
      }
    }
    this.kinds = Collections.unmodifiableMap(table);
  }

  /** The message for (apiVersion, kind), if registered. */
  public Optional<Kind> lookup(String apiVersion, String kind) {
    Kind k = kinds.get(apiVersion + "\0" + kind);
    if (k == null && OPTION_KINDS.contains(kind) && apiVersion != null && !apiVersion.isEmpty()) {
      // Upstream registers the option kinds in every group version (metav1.AddToGroupVersion): a typed client of
      // apps/v1 sends its DeleteOptions as apps/v1 DeleteOptions.
      Kind meta = kinds.get("meta.k8s.io/v1\0" + kind);
      if (meta != null) {
        k = new Kind(apiVersion, kind, meta.info());
      }
    }
    return Optional.ofNullable(k);
  }

  private static final Set<String> OPTION_KINDS = Set.of("DeleteOptions", "CreateOptions", "UpdateOptions",
      "PatchOptions", "GetOptions", "ListOptions");

  /** {@code meta.k8s.io/v1} WatchEvent. */
  public MessageInfo watchEvent() {
    return watchEvent;
  }

  /** Every registered {@code apiVersion/kind}, sorted. */
  public SortedSet<String> kinds() {
    SortedSet<String> out = new TreeSet<>();
    for (Kind k : kinds.values()) {
      out.add(k.apiVersion() + "/" + k.kind());
    }
    return out;
  }

  private static void collect(Descriptor d, Map<Descriptor, MessageInfo> infos) {
    infos.put(d, new MessageInfo(d));
    for (Descriptor nested : d.getNestedTypes()) {
      collect(nested, infos);
    }
  }

  /** "v1", "apps/v1", "apiextensions.k8s.io/v1"; null for packages that hold no kinds we register. */
  static String apiVersionOf(String pkg) {
    Matcher m = API_PACKAGE.matcher(pkg);
    if (m.matches()) {
      String g = m.group(1);
      String group = GROUP_NAMES.containsKey(g) ? GROUP_NAMES.get(g)
          : LEGACY_GROUPS.contains(g) ? g : g + ".k8s.io";
      return group.isEmpty() ? m.group(2) : group + "/" + m.group(2);
    }
    m = APIEXT_PACKAGE.matcher(pkg);
    if (m.matches()) {
      return "apiextensions.k8s.io/" + m.group(1);
    }
    return null;
  }

  private static boolean isKind(Descriptor d) {
    if (d.getFields().isEmpty()) {
      return false;
    }
    FieldDescriptor first = d.getFields().get(0);
    if (!first.getName().equals("metadata") || first.getType() != FieldDescriptor.Type.MESSAGE) {
      return false;
    }
    String meta = first.getMessageType().getFullName();
    if (!meta.equals(META_PACKAGE + ".ObjectMeta") && !meta.equals(META_PACKAGE + ".ListMeta")) {
      return false;
    }
    String name = d.getName();
    return !name.endsWith("Spec") && !(name.endsWith("Template") && !name.equals("PodTemplate"));
  }

  /** The generated outer classes whose files (and their dependencies) we serve. */
  private static List<FileDescriptor> roots() {
    return List.of(Meta.getDescriptor(), Runtime.getDescriptor(), Resource.getDescriptor(),
        IntStr.getDescriptor(), V1.getDescriptor(), V1Admissionregistration.getDescriptor(),
        V1Apps.getDescriptor(), V1Authentication.getDescriptor(), V1Authorization.getDescriptor(),
        V1Autoscaling.getDescriptor(), V1Batch.getDescriptor(), V1Certificates.getDescriptor(),
        V1Networking.getDescriptor(), V1Policy.getDescriptor(), V1Rbac.getDescriptor(),
        V1Scheduling.getDescriptor(), V1Storage.getDescriptor(),
        // Sources of the supplement's copies (apiextensions v1, autoscaling v2); not registered as kinds.
        V1beta1Apiextensions.getDescriptor(), V2beta2Autoscaling.getDescriptor());
  }

  /**
   * Rebuilds every file from its proto, with the supplement's patches applied and its new files added, in
   * dependency order. The codec only ever sees these descriptors, never the generated classes.
   */
  private static List<FileDescriptor> rebuild() {
    Set<FileDescriptor> ordered = new LinkedHashSet<>();
    for (FileDescriptor root : roots()) {
      topo(root, ordered);
    }
    List<SchemaSupplement.FileEdit> edits = SchemaSupplement.parse(SchemaSupplement.TEXT);
    Map<String, SchemaSupplement.FileEdit> patches = new HashMap<>();
    for (SchemaSupplement.FileEdit e : edits) {
      if (e.patch()) {
        patches.put(e.pkg(), e);
      }
    }
    Map<String, String> fileOfPackage = new HashMap<>();
    for (FileDescriptor f : ordered) {
      fileOfPackage.put(f.getPackage(), f.getName());
    }
    Map<String, FileDescriptor> byName = new HashMap<>();
    Map<String, FileDescriptor> byPackage = new HashMap<>();
    List<FileDescriptor> out = new ArrayList<>();
    try {
      for (FileDescriptor f : ordered) {
        FileDescriptorProto proto = f.toProto();
        SchemaSupplement.FileEdit patch = patches.get(f.getPackage());
        if (patch != null) {
          proto = SchemaSupplement.apply(patch, proto, fileOfPackage);
        }
        FileDescriptor built = build(proto, byName);
        byName.put(built.getName(), built);
        byPackage.put(built.getPackage(), built);
        out.add(built);
      }
      for (SchemaSupplement.FileEdit e : edits) {
        if (e.patch()) {
          continue;
        }
        FileDescriptorProto base = null;
        if (e.copyOf() != null) {
          FileDescriptor source = byPackage.get(e.copyOf());
          if (source == null) {
            throw new IllegalStateException("schema supplement: no package " + e.copyOf() + " to copy");
          }
          base = source.toProto();
        }
        FileDescriptor built = build(SchemaSupplement.apply(e, base, fileOfPackage), byName);
        byName.put(built.getName(), built);
        byPackage.put(built.getPackage(), built);
        fileOfPackage.put(built.getPackage(), built.getName());
        out.add(built);
      }
    } catch (DescriptorValidationException e) {
      throw new IllegalStateException("Kubernetes protobuf schemas do not build: " + e.getMessage(), e);
    }
    return out;
  }

  private static FileDescriptor build(FileDescriptorProto proto, Map<String, FileDescriptor> byName)
      throws DescriptorValidationException {
    FileDescriptor[] deps = new FileDescriptor[proto.getDependencyCount()];
    for (int i = 0; i < deps.length; i++) {
      deps[i] = byName.get(proto.getDependency(i));
      if (deps[i] == null) {
        throw new IllegalStateException("protobuf schema " + proto.getName() + " needs " + proto.getDependency(i));
      }
    }
    return FileDescriptor.buildFrom(proto, deps);
  }

  private static void topo(FileDescriptor f, Set<FileDescriptor> ordered) {
    if (ordered.contains(f)) {
      return;
    }
    for (FileDescriptor dep : f.getDependencies()) {
      topo(dep, ordered);
    }
    ordered.add(f);
  }
}
