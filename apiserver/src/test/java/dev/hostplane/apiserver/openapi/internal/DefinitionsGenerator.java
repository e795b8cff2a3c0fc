package dev.hostplane.apiserver.openapi.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.registry.ResourceCatalog;
import dev.hostplane.apiserver.registry.ResourceType;
import dev.hostplane.apiserver.registry.types.BuiltinResources;
import dev.hostplane.apiserver.registry.types.NodePortAllocator;
import dev.hostplane.apiserver.registry.types.ServiceAddressAllocator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Generates {@code src/main/resources/dev/hostplane/apiserver/openapi/k8s-1.33-definitions.json}: the OpenAPI v2
 * definitions of every built-in type this server serves (and what they reference), in upstream's names and shape,
 * without descriptions.
 *
 * <p>Sources, all from Maven Central:
 * <ul>
 *   <li>{@code io.kubernetes:client-java-api:24.0.0} (generated from Kubernetes 1.33's swagger.json; 25.0.0 is 1.34):
 *       property names ({@code @SerializedName}), property types, {@code openapiRequiredFields};</li>
 *   <li>{@code io.kubernetes:client-java-proto:24.0.0:sources}: protoc copies the comments of Kubernetes'
 *       {@code generated.proto} into the Java sources, with the {@code +patchMergeKey}, {@code +patchStrategy},
 *       {@code +listType}, {@code +listMapKey}, {@code +mapType} and {@code +structType} markers upstream's OpenAPI
 *       generator turns into {@code x-kubernetes-*} extensions, and the Go package of each message. Those protos
 *       lag the API (about 1.30, and without discovery, coordination, node, events.k8s.io, autoscaling/v2,
 *       apiextensions/v1): {@link #SUPPLEMENT} fills the gaps for the served types, by hand, from upstream's
 *       {@code types.go} markers;</li>
 *   <li>the served kinds from {@link BuiltinResources#catalog}, plus {@link #EXTRA_KINDS}.</li>
 * </ul>
 *
 * <p>Run (needs the three jars in the local repository; {@code dependency:get} fetches them):
 * <pre>
 * mvn -q dependency:get -Dartifact=io.kubernetes:client-java-api:24.0.0
 * mvn -q dependency:get -Dartifact=io.kubernetes:client-java-proto:24.0.0:jar:sources
 * mvn -q dependency:get -Dartifact=com.google.code.gson:gson:2.13.1
 * mvn -B -q -pl apiserver -am test -Dtest=DefinitionsGeneratorRun -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dhostplane.openapi.generate=true
 * </pre>
 * ({@code -Dhostplane.m2=/path/to/repository} when the local repository is not {@code ~/.m2/repository}.)
 */
public final class DefinitionsGenerator {
  static final String CLIENT_JAVA = "24.0.0";
  static final String GSON = "2.13.1";
  static final String OUTPUT = "src/main/resources/dev/hostplane/apiserver/openapi/k8s-1.33-definitions.json";

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
  private static final String MODELS = "io.kubernetes.client.openapi.models.";

  /** Kinds served as subresources or used on the wire besides the catalogue's: group, version, kind. */
  static final List<String[]> EXTRA_KINDS = List.of(
      new String[] {"", "v1", "Binding"},
      new String[] {"autoscaling", "v1", "Scale"},
      new String[] {"policy", "v1", "Eviction"},
      new String[] {"authentication.k8s.io", "v1", "TokenRequest"},
      new String[] {"meta", "v1", "Status"},
      new String[] {"meta", "v1", "DeleteOptions"},
      new String[] {"meta", "v1", "WatchEvent"});

  /**
   * Upstream markers the 1.30-era protos lack (types.go of Kubernetes 1.33), as {@code definition field marker};
   * an empty field applies the marker to the definition. Applied after the proto markers, replacing markers of the
   * same kind.
   */
  static final List<String> SUPPLEMENT = List.of(
      "io.k8s.api.discovery.v1.EndpointSlice endpoints +listType=atomic",
      "io.k8s.api.discovery.v1.EndpointSlice ports +listType=atomic",
      "io.k8s.api.discovery.v1.Endpoint addresses +listType=set",
      "io.k8s.api.discovery.v1.EndpointHints forZones +listType=atomic",
      "io.k8s.api.discovery.v1.EndpointHints forNodes +listType=atomic",
      "io.k8s.api.discovery.v1.EndpointPort  +structType=atomic",
      "io.k8s.api.node.v1.Scheduling nodeSelector +mapType=atomic",
      "io.k8s.api.node.v1.Scheduling tolerations +listType=atomic",
      "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec metrics +listType=atomic",
      "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus currentMetrics +listType=atomic",
      "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus conditions +listType=map +listMapKey=type "
          + "+patchMergeKey=type +patchStrategy=merge",
      "io.k8s.api.autoscaling.v2.HPAScalingRules policies +listType=atomic",
      "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionStatus conditions "
          + "+listType=map +listMapKey=type",
      "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionStatus storedVersions "
          + "+listType=atomic",
      "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec versions "
          + "+listType=atomic",
      "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionVersion "
          + "additionalPrinterColumns +listType=atomic",
      "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionVersion "
          + "selectableFields +listType=atomic",
      "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps x-kubernetes-validations "
          + "+listType=map +listMapKey=rule +patchMergeKey=rule +patchStrategy=merge",
      "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps x-kubernetes-list-map-keys "
          + "+listType=atomic",
      "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps required +listType=atomic",
      "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps enum +listType=atomic",
      "io.k8s.api.core.v1.ContainerStatus allocatedResourcesStatus +listType=map +listMapKey=name "
          + "+patchMergeKey=name +patchStrategy=merge",
      "io.k8s.api.core.v1.ResourceStatus resources +listType=map +listMapKey=resourceID",
      "io.k8s.api.core.v1.LinuxContainerUser supplementalGroups +listType=atomic",
      "io.k8s.api.batch.v1.SuccessPolicy rules +listType=atomic",
      "io.k8s.api.batch.v1.SuccessPolicyRule  +structType=granular");

  /** Definitions whose Java type is a plain {@code OffsetDateTime} but whose upstream type is MicroTime. */
  static final Set<String> MICRO_TIME = Set.of(
      "io.k8s.api.core.v1.Event eventTime", "io.k8s.api.events.v1.Event eventTime",
      "io.k8s.api.core.v1.EventSeries lastObservedTime", "io.k8s.api.events.v1.EventSeries lastObservedTime",
      "io.k8s.api.coordination.v1.LeaseSpec acquireTime", "io.k8s.api.coordination.v1.LeaseSpec renewTime");

  private static final Pattern CLASS_NAME =
      Pattern.compile("^([A-Z][a-z]+)?(V\\d+(?:(?:alpha|beta)\\d+)?)([A-Z][A-Za-z0-9]*)$");
  private static final Pattern FIELD_CODE = Pattern.compile("<code>(?:optional |repeated )?(?:map<[^>]*> |\\S+ )"
      + "(\\w+) = \\d+;</code>");
  private static final Pattern MESSAGE_TYPE = Pattern.compile("Protobuf type \\{@code ([\\w.]+)}");
  private static final Pattern INTERFACE = Pattern.compile("interface_extends:([\\w.]+)\\)");

  private final ClassLoader models;
  private final Class<? extends Annotation> serializedName;
  /** Proto message full name (k8s.io....) -> field -> markers; "" holds the message's own markers. */
  private final Map<String, Map<String, List<String>>> protoMarkers = new TreeMap<>();
  /** "v1/Container" -> Go packages (as definition prefixes) that declare such a message. */
  private final Map<String, Set<String>> packagesByMessage = new TreeMap<>();
  private final Map<String, ObjectNode> definitions = new TreeMap<>();
  private final Map<String, String> packageOfClass = new LinkedHashMap<>();
  private final Deque<Class<?>> queue = new ArrayDeque<>();
  private final List<String> notes = new ArrayList<>();

  DefinitionsGenerator(Path m2) throws IOException {
    Path api = m2.resolve("io/kubernetes/client-java-api/" + CLIENT_JAVA + "/client-java-api-" + CLIENT_JAVA
        + ".jar");
    Path gson = m2.resolve("com/google/code/gson/gson/" + GSON + "/gson-" + GSON + ".jar");
    Path proto = m2.resolve("io/kubernetes/client-java-proto/" + CLIENT_JAVA + "/client-java-proto-" + CLIENT_JAVA
        + "-sources.jar");
    for (Path p : List.of(api, gson, proto)) {
      if (!Files.isRegularFile(p)) {
        throw new IOException("missing " + p + " (see the class javadoc for the dependency:get commands)");
      }
    }
    this.models = new URLClassLoader(new URL[] {api.toUri().toURL(), gson.toUri().toURL()},
        ClassLoader.getPlatformClassLoader());
    try {
      this.serializedName = Class.forName("com.google.gson.annotations.SerializedName", true, models)
          .asSubclass(Annotation.class);
    } catch (ClassNotFoundException e) {
      throw new IOException(e);
    }
    readProtoSources(proto);
  }

  /** Writes the definitions file under {@code moduleDir}; returns notes about guesses made. */
  public static List<String> generate(Path m2, Path moduleDir) throws Exception {
    DefinitionsGenerator g = new DefinitionsGenerator(m2);
    ObjectNode out = g.build();
    Path target = moduleDir.resolve(OUTPUT);
    Files.createDirectories(target.getParent());
    byte[] bytes = new ObjectMapper().writer().writeValueAsBytes(out);
    Files.write(target, bytes);
    return g.notes;
  }

  ObjectNode build() throws Exception {
    ResourceCatalog catalog = BuiltinResources.catalog(new ServiceAddressAllocator("10.96.0.0/12"),
        new NodePortAllocator());
    Map<String, String[]> kinds = new LinkedHashMap<>();
    for (ResourceType t : catalog.all()) {
      kinds.putIfAbsent(t.apiVersion() + "/" + t.kind(), new String[] {t.group(), t.version(), t.kind(), "list"});
    }
    for (String[] k : EXTRA_KINDS) {
      kinds.putIfAbsent(k[0] + "/" + k[1] + "/" + k[2], k);
    }
    Map<String, ArrayNode> gvks = new TreeMap<>();
    for (String[] k : kinds.values()) {
      boolean meta = k[0].equals("meta");
      for (String kind : k.length > 3 ? List.of(k[2], k[2] + "List") : List.of(k[2])) {
        Class<?> c = modelClass(k[0], k[1], kind);
        String pkg = meta ? META : packageOfGroup(k[0], k[1]);
        packageOfClass.put(c.getName(), pkg);
        queue.add(c);
        if (!meta) {
          ObjectNode gvk = F.objectNode().put("group", k[0]).put("kind", kind).put("version", k[1]);
          gvks.computeIfAbsent(pkg + kind, x -> F.arrayNode()).add(gvk);
        }
      }
    }
    gvks.computeIfAbsent(META + "Status", x -> F.arrayNode()).add(
        F.objectNode().put("group", "").put("kind", "Status").put("version", "v1"));
    while (!queue.isEmpty()) {
      Class<?> c = queue.poll();
      String name = definitionName(c, packageOfClass.get(c.getName()));
      if (!definitions.containsKey(name)) {
        definitions.put(name, F.objectNode()); // placeholder against cycles
        definitions.put(name, describe(c, name));
      }
    }
    addFixedDefinitions();
    applySupplement();
    for (Map.Entry<String, ArrayNode> e : gvks.entrySet()) {
      ObjectNode d = definitions.get(e.getKey());
      if (d == null) {
        throw new IllegalStateException("no definition for kind " + e.getKey());
      }
      d.set("x-kubernetes-group-version-kind", e.getValue());
    }
    ObjectNode root = F.objectNode();
    root.put("x-hostplane-source", "io.kubernetes:client-java-api:" + CLIENT_JAVA + " (Kubernetes 1.33) + "
        + "client-java-proto:" + CLIENT_JAVA + ":sources markers + DefinitionsGenerator.SUPPLEMENT");
    ObjectNode defs = root.putObject("definitions");
    definitions.forEach(defs::set);
    return root;
  }

  // ------------------------------------------------------------------------------------------ Java models

  private Class<?> modelClass(String group, String version, String kind) throws ClassNotFoundException {
    String v = Character.toUpperCase(version.charAt(0)) + version.substring(1);
    String prefix = group.isEmpty() ? "Core" : capitalize(group.split("\\.")[0]);
    for (String candidate : List.of(v + kind, prefix + v + kind)) {
      try {
        return Class.forName(MODELS + candidate, true, models);
      } catch (ClassNotFoundException e) {
        // try the next spelling
      }
    }
    throw new ClassNotFoundException("no client-java model for " + group + "/" + version + " " + kind);
  }

  private ObjectNode describe(Class<?> c, String name) throws Exception {
    ObjectNode s = F.objectNode();
    String pkg = name.substring(0, name.lastIndexOf('.') + 1);
    Map<String, ObjectNode> props = new TreeMap<>();
    for (Field f : c.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers())) {
        continue;
      }
      Annotation a = f.getAnnotation(serializedName);
      if (a == null) {
        continue;
      }
      String json = (String) a.annotationType().getMethod("value").invoke(a);
      props.put(json, typeSchema(f.getGenericType(), pkg, name, json));
    }
    @SuppressWarnings("unchecked")
    Collection<String> required = (Collection<String>) c.getField("openapiRequiredFields").get(null);
    if (!required.isEmpty()) {
      ArrayNode r = s.putArray("required");
      new TreeSet<>(required).forEach(r::add);
    }
    s.put("type", "object");
    if (!props.isEmpty()) {
      ObjectNode p = s.putObject("properties");
      props.forEach(p::set);
    }
    applyProtoMarkers(s, name);
    return s;
  }

  private ObjectNode typeSchema(Type t, String pkg, String owner, String field) throws Exception {
    if (t instanceof ParameterizedType pt) {
      Class<?> raw = (Class<?>) pt.getRawType();
      Type[] args = pt.getActualTypeArguments();
      if (List.class.isAssignableFrom(raw)) {
        ObjectNode s = F.objectNode().put("type", "array");
        s.set("items", typeSchema(args[0], pkg, owner, field + "[]"));
        return s;
      }
      if (Map.class.isAssignableFrom(raw)) {
        ObjectNode s = F.objectNode().put("type", "object");
        s.set("additionalProperties", typeSchema(args[1], pkg, owner, field + "{}"));
        return s;
      }
      throw new IllegalStateException("unexpected generic type " + t + " at " + owner + " " + field);
    }
    Class<?> c = (Class<?>) t;
    String cn = c.getName();
    switch (cn) {
      case "java.lang.String":
        return F.objectNode().put("type", "string");
      case "java.lang.Integer":
        return F.objectNode().put("type", "integer").put("format", "int32");
      case "java.lang.Long":
        return F.objectNode().put("type", "integer").put("format", "int64");
      case "java.lang.Boolean":
        return F.objectNode().put("type", "boolean");
      case "java.lang.Double":
        return F.objectNode().put("type", "number").put("format", "double");
      case "java.lang.Float":
        return F.objectNode().put("type", "number").put("format", "float");
      case "java.math.BigDecimal":
        return F.objectNode().put("type", "number");
      case "[B":
        return F.objectNode().put("type", "string").put("format", "byte");
      case "java.time.OffsetDateTime":
        return ref(META + (MICRO_TIME.contains(owner + " " + field) ? "MicroTime" : "Time"));
      case "io.kubernetes.client.custom.IntOrString":
        return ref("io.k8s.apimachinery.pkg.util.intstr.IntOrString");
      case "io.kubernetes.client.custom.Quantity":
        return ref("io.k8s.apimachinery.pkg.api.resource.Quantity");
      case "java.lang.Object":
        return ref(anyType(owner, field));
      default:
        break;
    }
    if (!cn.startsWith(MODELS)) {
      throw new IllegalStateException("unexpected type " + cn + " at " + owner + " " + field);
    }
    packageOfClass.putIfAbsent(cn, pkg);
    queue.add(c);
    return ref(definitionName(c, packageOfClass.get(cn)));
  }

  /** The upstream type of a field client-java types as {@code Object}. */
  private String anyType(String owner, String field) {
    String ext = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.";
    if (owner.equals(ext + "JSONSchemaProps")) {
      return switch (field) {
        case "items" -> ext + "JSONSchemaPropsOrArray";
        case "additionalProperties", "additionalItems" -> ext + "JSONSchemaPropsOrBool";
        case "dependencies{}" -> ext + "JSONSchemaPropsOrStringArray";
        default -> ext + "JSON";
      };
    }
    if (owner.equals(ext + "CustomResourceSubresources") && field.equals("status")) {
      return ext + "CustomResourceSubresourceStatus";
    }
    if (owner.startsWith(ext)) {
      return ext + "JSON";
    }
    if (owner.equals(META + "ManagedFieldsEntry") && field.equals("fieldsV1")) {
      return META + "FieldsV1";
    }
    return "io.k8s.apimachinery.pkg.runtime.RawExtension";
  }

  private static ObjectNode ref(String definition) {
    return F.objectNode().put("$ref", "#/definitions/" + definition);
  }

  /** Upstream's definition name of a client-java model class; {@code inherited} is the referrer's package. */
  private String definitionName(Class<?> c, String inherited) {
    String simple = c.getSimpleName();
    if (simple.equals("VersionInfo")) {
      return "io.k8s.apimachinery.pkg.version.Info";
    }
    Matcher m = CLASS_NAME.matcher(simple);
    if (!m.matches()) {
      throw new IllegalStateException("cannot parse model class name " + simple);
    }
    String version = m.group(2).toLowerCase(Locale.ROOT);
    String type = m.group(3);
    if (m.group(1) != null) {
      return packageOfPrefix(m.group(1), version) + type;
    }
    Set<String> pkgs = packagesByMessage.getOrDefault(version + "/" + type, Set.of());
    if (pkgs.size() == 1) {
      return pkgs.iterator().next() + type;
    }
    if (inherited != null && (pkgs.isEmpty() || pkgs.contains(inherited)) && inherited.endsWith("." + version + ".")) {
      if (pkgs.isEmpty()) {
        notes.add("package of " + simple + " inherited from its referrer: " + inherited);
      }
      return inherited + type;
    }
    if (!pkgs.isEmpty()) {
      String pick = pkgs.iterator().next();
      notes.add("ambiguous package for " + simple + " " + pkgs + ", picked " + pick);
      return pick + type;
    }
    throw new IllegalStateException("no package known for " + simple + " (referrer " + inherited + ")");
  }

  private static String packageOfPrefix(String prefix, String version) {
    return switch (prefix) {
      case "Core" -> "io.k8s.api.core." + version + ".";
      case "Apiextensions" -> "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions." + version + ".";
      case "Apiregistration" -> "io.k8s.kube-aggregator.pkg.apis.apiregistration." + version + ".";
      default -> "io.k8s.api." + prefix.toLowerCase(Locale.ROOT) + "." + version + ".";
    };
  }

  static String packageOfGroup(String group, String version) {
    if (group.isEmpty()) {
      return "io.k8s.api.core." + version + ".";
    }
    if (group.equals("apiextensions.k8s.io")) {
      return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions." + version + ".";
    }
    return "io.k8s.api." + group.split("\\.")[0] + "." + version + ".";
  }

  private static String capitalize(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private void addFixedDefinitions() {
    definitions.put(META + "Time", F.objectNode().put("type", "string").put("format", "date-time"));
    definitions.put(META + "MicroTime", F.objectNode().put("type", "string").put("format", "date-time"));
    definitions.put("io.k8s.apimachinery.pkg.util.intstr.IntOrString",
        F.objectNode().put("type", "string").put("format", "int-or-string"));
    definitions.put("io.k8s.apimachinery.pkg.api.resource.Quantity", F.objectNode().put("type", "string"));
    definitions.put("io.k8s.apimachinery.pkg.runtime.RawExtension", F.objectNode().put("type", "object"));
    String ext = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.";
    definitions.put(ext + "CustomResourceSubresourceStatus", F.objectNode().put("type", "object"));
    for (String any : List.of("JSON", "JSONSchemaPropsOrArray", "JSONSchemaPropsOrBool",
        "JSONSchemaPropsOrStringArray")) {
      definitions.put(ext + any, F.objectNode());
    }
    // FieldsV1 is a JSON object of field sets; client-java types it as Object.
    definitions.put(META + "FieldsV1", F.objectNode().put("type", "object"));
  }

  // ------------------------------------------------------------------------------------------ markers

  private void readProtoSources(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (ZipEntry e : java.util.Collections.list(zip.entries())) {
        if (!e.getName().endsWith(".java")) {
          continue;
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(zip.getInputStream(e),
            StandardCharsets.UTF_8))) {
          readProtoSource(r);
        }
      }
    }
  }

  private void readProtoSource(BufferedReader r) throws IOException {
    String current = null;
    List<String> block = null;
    String line;
    while ((line = r.readLine()) != null) {
      String t = line.trim();
      Matcher im = INTERFACE.matcher(t);
      if (im.find()) {
        current = im.group(1);
        continue;
      }
      if (t.startsWith("/**")) {
        block = new ArrayList<>();
        continue;
      }
      if (block == null) {
        continue;
      }
      if (!t.startsWith("*/")) {
        block.add(t.startsWith("*") ? t.substring(1).trim() : t);
        continue;
      }
      List<String> markers = new ArrayList<>();
      String code = null;
      String message = null;
      for (String b : block) {
        if (b.startsWith("+")) {
          markers.add(b);
        }
        Matcher fm = FIELD_CODE.matcher(b);
        if (fm.find()) {
          code = fm.group(1);
        }
        Matcher mm = MESSAGE_TYPE.matcher(b);
        if (mm.find()) {
          message = mm.group(1);
        }
      }
      block = null;
      if (message != null) {
        current = message;
        registerMessage(message);
        protoMarkers.computeIfAbsent(message, k -> new TreeMap<>()).putIfAbsent("", markers);
      } else if (code != null && current != null) {
        protoMarkers.computeIfAbsent(current, k -> new TreeMap<>()).putIfAbsent(jsonName(code), markers);
      }
    }
  }

  private void registerMessage(String full) {
    int dot = full.lastIndexOf('.');
    String pkg = full.substring(0, dot);
    String version = pkg.substring(pkg.lastIndexOf('.') + 1);
    packagesByMessage.computeIfAbsent(version + "/" + full.substring(dot + 1), k -> new TreeSet<>())
        .add(definitionPackage(pkg) + ".");
  }

  /** k8s.io.api.core.v1 -> io.k8s.api.core.v1; apiextensions_apiserver -> apiextensions-apiserver. */
  private static String definitionPackage(String protoPackage) {
    String p = protoPackage.startsWith("k8s.io.") ? "io.k8s." + protoPackage.substring(7) : protoPackage;
    return p.replace('_', '-');
  }

  /** Proto field names are the JSON names, except JSONSchemaProps' {@code $ref}, {@code $schema}, {@code x-*}. */
  private static String jsonName(String protoField) {
    switch (protoField) {
      case "ref":
        return "$ref";
      case "schema":
        return "schema"; // also an ordinary field elsewhere; JSONSchemaProps' $schema carries no markers
      default:
        break;
    }
    if (protoField.startsWith("xKubernetes")) {
      return "x" + protoField.substring(1).replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
    }
    return protoField;
  }

  private void applyProtoMarkers(ObjectNode s, String definition) {
    Map<String, List<String>> fields = protoMarkersFor(definition);
    if (fields == null) {
      return;
    }
    applyMarkers(s, fields.getOrDefault("", List.of()));
    JsonNode props = s.path("properties");
    fields.forEach((field, markers) -> {
      if (!field.isEmpty() && props.get(field) instanceof ObjectNode p) {
        applyMarkers(p, markers);
      }
    });
  }

  /** The proto markers of a definition, falling back to another version of the same group's message. */
  private Map<String, List<String>> protoMarkersFor(String definition) {
    String proto = definition.replace("apiextensions-apiserver", "apiextensions_apiserver")
        .replaceFirst("^io\\.k8s\\.", "k8s.io.");
    Map<String, List<String>> exact = protoMarkers.get(proto);
    if (exact != null) {
      return exact;
    }
    int dot = proto.lastIndexOf('.');
    String pkg = proto.substring(0, dot);
    String groupPrefix = pkg.substring(0, pkg.lastIndexOf('.') + 1);
    String type = proto.substring(dot + 1);
    for (Map.Entry<String, Map<String, List<String>>> e : protoMarkers.entrySet()) {
      String k = e.getKey();
      if (k.startsWith(groupPrefix) && k.endsWith("." + type) && k.substring(groupPrefix.length()).indexOf('.')
          == k.length() - groupPrefix.length() - type.length() - 1) {
        return e.getValue();
      }
    }
    return null;
  }

  private static void applyMarkers(ObjectNode s, List<String> markers) {
    List<String> mapKeys = new ArrayList<>();
    for (String m : markers) {
      int eq = m.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String key = m.substring(1, eq);
      String value = m.substring(eq + 1).trim();
      switch (key) {
        case "patchMergeKey" -> s.put("x-kubernetes-patch-merge-key", value);
        case "patchStrategy" -> s.put("x-kubernetes-patch-strategy", value);
        case "listType" -> s.put("x-kubernetes-list-type", value);
        case "listMapKey" -> mapKeys.add(value);
        case "mapType", "structType" -> s.put("x-kubernetes-map-type", value);
        default -> { }
      }
    }
    if (!mapKeys.isEmpty()) {
      ArrayNode a = s.putArray("x-kubernetes-list-map-keys");
      mapKeys.forEach(a::add);
    }
  }

  private void applySupplement() {
    for (String line : SUPPLEMENT) {
      String[] parts = line.split(" ", 3);
      ObjectNode d = definitions.get(parts[0]);
      if (d == null) {
        notes.add("supplement for a definition not generated: " + parts[0]);
        continue;
      }
      ObjectNode target = parts[1].isEmpty() ? d : (ObjectNode) d.path("properties").get(parts[1]);
      if (target == null) {
        throw new IllegalStateException("supplement names a missing field: " + line);
      }
      List<String> markers = List.of(parts[2].trim().split("\\s+"));
      Set<String> kinds = new LinkedHashSet<>();
      for (String m : markers) {
        kinds.add(m.substring(1, m.indexOf('=')));
      }
      if (kinds.contains("listMapKey")) {
        target.remove("x-kubernetes-list-map-keys");
      }
      applyMarkers(target, markers);
    }
  }
}
