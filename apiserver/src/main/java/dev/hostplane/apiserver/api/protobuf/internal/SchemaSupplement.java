package dev.hostplane.apiserver.api.protobuf.internal;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The schemas that {@code io.kubernetes:client-java-proto} lacks, in a compact notation of our own. That artifact
 * is generated from an old, fixed list of proto files (their contents are Kubernetes 1.30's), so it has no
 * {@code coordination.k8s.io/v1}, {@code discovery.k8s.io/v1}, {@code events.k8s.io/v1}, {@code node.k8s.io/v1},
 * {@code autoscaling/v2} or {@code apiextensions.k8s.io/v1}, nor the fields that 1.31-1.33 added to the groups it
 * has. Field numbers and names are upstream's (Kubernetes 1.33 {@code generated.proto} and struct tags); they are
 * wire facts, so any mistake here is a wire incompatibility.
 *
 * <p>Notation, one statement a line ({@code #} starts a comment):
 * <ul>
 *   <li>{@code file <package>} starts a new file; {@code file <package> from <package>} starts one as a copy of an
 *       existing package (message types re-homed); {@code patch <package>} edits an existing one.</li>
 *   <li>{@code message <Name>: <field>; <field>; ...} defines a message, replacing one of that name.</li>
 *   <li>{@code extend <Name>: <field>; ...} adds fields to an existing message of the current file.</li>
 *   <li>A field is {@code <number> <name> <type>}; a type is a scalar ({@code string int32 int64 bool double bytes}),
 *       a message of the current file, or one qualified by an alias ({@code meta. core. resource. runtime. intstr.});
 *       {@code []T} repeats, {@code map<T>} is a map from string to T.</li>
 * </ul>
 */
final class SchemaSupplement {
  private SchemaSupplement() {}

  static final String TEXT = """
      file k8s.io.api.coordination.v1
      message Lease: 1 metadata meta.ObjectMeta; 2 spec LeaseSpec
      message LeaseList: 1 metadata meta.ListMeta; 2 items []Lease
      message LeaseSpec: 1 holderIdentity string; 2 leaseDurationSeconds int32; 3 acquireTime meta.MicroTime; \
      4 renewTime meta.MicroTime; 5 leaseTransitions int32; 6 strategy string; 7 preferredHolder string

      file k8s.io.api.discovery.v1
      message EndpointSlice: 1 metadata meta.ObjectMeta; 4 addressType string; 2 endpoints []Endpoint; \
      3 ports []EndpointPort
      message EndpointSliceList: 1 metadata meta.ListMeta; 2 items []EndpointSlice
      message Endpoint: 1 addresses []string; 2 conditions EndpointConditions; 3 hostname string; \
      4 targetRef core.ObjectReference; 5 deprecatedTopology map<string>; 6 nodeName string; 7 zone string; \
      8 hints EndpointHints
      message EndpointConditions: 1 ready bool; 2 serving bool; 3 terminating bool
      message EndpointHints: 1 forZones []ForZone; 2 forNodes []ForNode
      message ForZone: 1 name string
      message ForNode: 1 name string
      message EndpointPort: 1 name string; 2 protocol string; 3 port int32; 4 appProtocol string

      file k8s.io.api.events.v1
      message Event: 1 metadata meta.ObjectMeta; 2 eventTime meta.MicroTime; 3 series EventSeries; \
      4 reportingController string; 5 reportingInstance string; 6 action string; 7 reason string; \
      8 regarding core.ObjectReference; 9 related core.ObjectReference; 10 note string; 11 type string; \
      12 deprecatedSource core.EventSource; 13 deprecatedFirstTimestamp meta.Time; \
      14 deprecatedLastTimestamp meta.Time; 15 deprecatedCount int32
      message EventList: 1 metadata meta.ListMeta; 2 items []Event
      message EventSeries: 1 count int32; 2 lastObservedTime meta.MicroTime

      file k8s.io.api.node.v1
      message RuntimeClass: 1 metadata meta.ObjectMeta; 2 handler string; 3 overhead Overhead; \
      4 scheduling Scheduling
      message RuntimeClassList: 1 metadata meta.ListMeta; 2 items []RuntimeClass
      message Overhead: 1 podFixed map<resource.Quantity>
      message Scheduling: 1 nodeSelector map<string>; 2 tolerations []core.Toleration

      # autoscaling/v2 is v2beta2 plus the 1.33 tolerance.
      file k8s.io.api.autoscaling.v2 from k8s.io.api.autoscaling.v2beta2
      extend HPAScalingRules: 4 tolerance resource.Quantity

      # apiextensions.k8s.io/v1 shares v1beta1's schema types; the CRD spec, conversion and columns differ.
      file k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1 \
      from k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1beta1
      message CustomResourceDefinitionSpec: 1 group string; 3 names CustomResourceDefinitionNames; \
      4 scope string; 7 versions []CustomResourceDefinitionVersion; 9 conversion CustomResourceConversion; \
      10 preserveUnknownFields bool
      message CustomResourceConversion: 1 strategy string; 2 webhook WebhookConversion
      message WebhookConversion: 2 clientConfig WebhookClientConfig; 3 conversionReviewVersions []string
      message CustomResourceColumnDefinition: 1 name string; 2 type string; 3 format string; \
      4 description string; 5 priority int32; 6 jsonPath string

      # Fields added to GA types in Kubernetes 1.31-1.33 (client-java-proto has 1.30's). Each number checked
      # against upstream's struct tags; the list is not exhaustive (see docs/protobuf.md).
      patch k8s.io.apimachinery.pkg.apis.meta.v1
      message FieldSelectorRequirement: 1 key string; 2 operator string; 3 values []string

      patch k8s.io.api.core.v1
      extend PodSpec: 40 resources ResourceRequirements
      extend VolumeSource: 30 image ImageVolumeSource
      message ImageVolumeSource: 1 reference string; 2 pullPolicy string
      extend PodSecurityContext: 12 supplementalGroupsPolicy string; 13 seLinuxChangePolicy string
      extend Lifecycle: 3 stopSignal string

      patch k8s.io.api.apps.v1
      extend DeploymentStatus: 9 terminatingReplicas int32
      extend ReplicaSetStatus: 7 terminatingReplicas int32

      patch k8s.io.api.authorization.v1
      extend ResourceAttributes: 8 fieldSelector FieldSelectorAttributes; 9 labelSelector LabelSelectorAttributes
      message FieldSelectorAttributes: 1 rawSelector string; 2 requirements []meta.FieldSelectorRequirement
      message LabelSelectorAttributes: 1 rawSelector string; 2 requirements []meta.LabelSelectorRequirement
      """;

  /** Proto packages that the aliases of the notation stand for. */
  private static final Map<String, String> ALIASES = Map.of(
      "meta", "k8s.io.apimachinery.pkg.apis.meta.v1",
      "core", "k8s.io.api.core.v1",
      "resource", "k8s.io.apimachinery.pkg.api.resource",
      "runtime", "k8s.io.apimachinery.pkg.runtime",
      "intstr", "k8s.io.apimachinery.pkg.util.intstr");

  /** One file statement: its package, what it copies or patches, and its message statements in order. */
  record FileEdit(String pkg, String copyOf, boolean patch, List<MessageEdit> messages) {}

  /** {@code message} (replace = true) or {@code extend} (replace = false). */
  record MessageEdit(String name, boolean replace, List<FieldSpec> fields) {}

  record FieldSpec(int number, String name, String type) {}

  /** Parses {@code text} (see the class comment). Throws IllegalStateException on a malformed statement. */
  static List<FileEdit> parse(String text) {
    List<FileEdit> files = new ArrayList<>();
    FileEdit current = null;
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] words = line.split("\\s+");
      switch (words[0]) {
        case "file" -> {
          current = new FileEdit(words[1], words.length == 4 && words[2].equals("from") ? words[3] : null, false,
              new ArrayList<>());
          files.add(current);
        }
        case "patch" -> {
          current = new FileEdit(words[1], null, true, new ArrayList<>());
          files.add(current);
        }
        case "message", "extend" -> {
          if (current == null) {
            throw new IllegalStateException("schema supplement: message before file: " + line);
          }
          int colon = line.indexOf(':');
          String name = line.substring(words[0].length(), colon).strip();
          List<FieldSpec> fields = new ArrayList<>();
          for (String f : line.substring(colon + 1).split(";")) {
            String[] parts = f.strip().split("\\s+");
            if (parts.length != 3) {
              throw new IllegalStateException("schema supplement: bad field '" + f + "' in " + line);
            }
            fields.add(new FieldSpec(Integer.parseInt(parts[0]), parts[1], parts[2]));
          }
          current.messages().add(new MessageEdit(name, words[0].equals("message"), fields));
        }
        default -> throw new IllegalStateException("schema supplement: unknown statement: " + line);
      }
    }
    return files;
  }

  /**
   * Applies one file statement to {@code base} (the copied or patched file's proto, or null for a new file) and
   * returns the file's proto. Dependencies are the files of every package a field names, found in
   * {@code fileOfPackage}.
   */
  static FileDescriptorProto apply(FileEdit edit, FileDescriptorProto base, Map<String, String> fileOfPackage) {
    FileDescriptorProto.Builder file;
    if (base == null) {
      file = FileDescriptorProto.newBuilder().setName("hostplane/" + edit.pkg().replace('.', '/') + ".proto")
          .setPackage(edit.pkg()).setSyntax("proto2");
    } else if (edit.copyOf() != null) {
      file = rehome(base, edit.copyOf(), edit.pkg()).toBuilder()
          .setName("hostplane/" + edit.pkg().replace('.', '/') + ".proto");
    } else {
      file = base.toBuilder();
    }
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < file.getMessageTypeCount(); i++) {
      index.put(file.getMessageType(i).getName(), i);
    }
    List<String> deps = new ArrayList<>(file.getDependencyList());
    for (MessageEdit m : edit.messages()) {
      Integer at = index.get(m.name());
      DescriptorProto.Builder msg;
      if (m.replace() || at == null) {
        if (!m.replace()) {
          throw new IllegalStateException("schema supplement: extend of unknown message " + m.name());
        }
        msg = DescriptorProto.newBuilder().setName(m.name());
      } else {
        msg = file.getMessageType(at).toBuilder();
      }
      for (FieldSpec f : m.fields()) {
        msg.addField(field(f, edit.pkg(), m.name(), msg, deps, fileOfPackage));
      }
      if (at == null) {
        index.put(m.name(), file.getMessageTypeCount());
        file.addMessageType(msg);
      } else {
        file.setMessageType(at, msg);
      }
    }
    file.clearDependency().addAllDependency(deps);
    return file.build();
  }

  private static FieldDescriptorProto field(FieldSpec f, String pkg, String message, DescriptorProto.Builder msg,
      List<String> deps, Map<String, String> fileOfPackage) {
    FieldDescriptorProto.Builder b = FieldDescriptorProto.newBuilder().setName(f.name()).setNumber(f.number())
        .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL);
    String type = f.type();
    if (type.startsWith("[]")) {
      b.setLabel(FieldDescriptorProto.Label.LABEL_REPEATED);
      type = type.substring(2);
    }
    if (type.startsWith("map<") && type.endsWith(">")) {
      String entryName = Character.toUpperCase(f.name().charAt(0)) + f.name().substring(1) + "Entry";
      DescriptorProto.Builder entry = DescriptorProto.newBuilder().setName(entryName)
          .setOptions(MessageOptions.newBuilder().setMapEntry(true));
      entry.addField(FieldDescriptorProto.newBuilder().setName("key").setNumber(1)
          .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL).setType(FieldDescriptorProto.Type.TYPE_STRING));
      FieldDescriptorProto.Builder value = FieldDescriptorProto.newBuilder().setName("value").setNumber(2)
          .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL);
      setType(value, type.substring(4, type.length() - 1), pkg, deps, fileOfPackage);
      entry.addField(value);
      msg.addNestedType(entry);
      return b.setLabel(FieldDescriptorProto.Label.LABEL_REPEATED).setType(FieldDescriptorProto.Type.TYPE_MESSAGE)
          .setTypeName("." + pkg + "." + message + "." + entryName).build();
    }
    setType(b, type, pkg, deps, fileOfPackage);
    return b.build();
  }

  private static void setType(FieldDescriptorProto.Builder b, String type, String pkg, List<String> deps,
      Map<String, String> fileOfPackage) {
    FieldDescriptorProto.Type scalar = switch (type) {
      case "string" -> FieldDescriptorProto.Type.TYPE_STRING;
      case "int32" -> FieldDescriptorProto.Type.TYPE_INT32;
      case "int64" -> FieldDescriptorProto.Type.TYPE_INT64;
      case "bool" -> FieldDescriptorProto.Type.TYPE_BOOL;
      case "double" -> FieldDescriptorProto.Type.TYPE_DOUBLE;
      case "bytes" -> FieldDescriptorProto.Type.TYPE_BYTES;
      default -> null;
    };
    if (scalar != null) {
      b.setType(scalar);
      return;
    }
    b.setType(FieldDescriptorProto.Type.TYPE_MESSAGE);
    int dot = type.indexOf('.');
    if (dot < 0) {
      b.setTypeName("." + pkg + "." + type);
      return;
    }
    String target = ALIASES.get(type.substring(0, dot));
    if (target == null) {
      throw new IllegalStateException("schema supplement: unknown alias in " + type);
    }
    b.setTypeName("." + target + "." + type.substring(dot + 1));
    String depFile = fileOfPackage.get(target);
    if (depFile == null) {
      throw new IllegalStateException("schema supplement: no file for package " + target);
    }
    if (!deps.contains(depFile)) {
      deps.add(depFile);
    }
  }

  /** {@code base} with its package renamed and every reference to its own types following. */
  private static FileDescriptorProto rehome(FileDescriptorProto base, String from, String to) {
    FileDescriptorProto.Builder b = base.toBuilder().setPackage(to);
    for (DescriptorProto.Builder m : b.getMessageTypeBuilderList()) {
      rehome(m, "." + from + ".", "." + to + ".");
    }
    return b.build();
  }

  private static void rehome(DescriptorProto.Builder m, String from, String to) {
    for (FieldDescriptorProto.Builder f : m.getFieldBuilderList()) {
      if (f.getTypeName().startsWith(from)) {
        f.setTypeName(to + f.getTypeName().substring(from.length()));
      }
    }
    for (DescriptorProto.Builder nested : m.getNestedTypeBuilderList()) {
      rehome(nested, from, to);
    }
  }
}
