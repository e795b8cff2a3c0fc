package dev.hostplane.apiserver.api.protobuf.internal;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The per-message table the codec runs on: fields by number (decoding), in number order (encoding, as upstream
 * writes them) and in declaration order (JSON member order, which is Go's struct order), with the JSON rules of
 * {@link GoJsonRules} resolved once. Immutable after {@link #link}; shared by all threads.
 */
public final class MessageInfo {
  /** Messages whose JSON form is not an object of their fields. */
  enum Special {
    NONE, TIME, MICRO_TIME, DURATION, QUANTITY, INT_OR_STRING, RAW_EXTENSION, FIELDS_V1, JSON,
    PROPS_OR_ARRAY, PROPS_OR_BOOL, PROPS_OR_STRING_ARRAY, STRING_ARRAY
  }

  final Descriptor descriptor;
  final Special special;
  private FieldInfo[] byNumber;
  FieldInfo[] declared;
  FieldInfo[] ascending;

  MessageInfo(Descriptor descriptor) {
    this.descriptor = descriptor;
    this.special = specialOf(descriptor);
  }

  FieldInfo field(int number) {
    return number < byNumber.length ? byNumber[number] : null;
  }

  /** Resolves field tables; {@code infos} holds every message this one refers to. */
  void link(Map<Descriptor, MessageInfo> infos) {
    List<FieldDescriptor> fields = descriptor.getFields();
    declared = new FieldInfo[fields.size()];
    int max = 0;
    for (int i = 0; i < fields.size(); i++) {
      declared[i] = new FieldInfo(this, fields.get(i), i, infos);
      max = Math.max(max, fields.get(i).getNumber());
    }
    byNumber = new FieldInfo[max + 1];
    for (FieldInfo f : declared) {
      byNumber[f.number] = f;
    }
    ascending = declared.clone();
    Arrays.sort(ascending, Comparator.comparingInt(f -> f.number));
  }

  String fullName() {
    return descriptor.getFullName();
  }

  private static Special specialOf(Descriptor d) {
    String pkg = d.getFile().getPackage();
    String name = d.getName();
    switch (pkg) {
      case "k8s.io.apimachinery.pkg.apis.meta.v1":
        switch (name) {
          case "Time":
            return Special.TIME;
          case "MicroTime":
            return Special.MICRO_TIME;
          case "Duration":
            return Special.DURATION;
          case "FieldsV1":
            return Special.FIELDS_V1;
          case "Verbs":
            return Special.STRING_ARRAY;
          default:
            return Special.NONE;
        }
      case "k8s.io.apimachinery.pkg.api.resource":
        return name.equals("Quantity") ? Special.QUANTITY : Special.NONE;
      case "k8s.io.apimachinery.pkg.util.intstr":
        return name.equals("IntOrString") ? Special.INT_OR_STRING : Special.NONE;
      case "k8s.io.apimachinery.pkg.runtime":
        return name.equals("RawExtension") ? Special.RAW_EXTENSION : Special.NONE;
      default:
        break;
    }
    if (pkg.startsWith("k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.")) {
      switch (name) {
        case "JSON":
          return Special.JSON;
        case "JSONSchemaPropsOrArray":
          return Special.PROPS_OR_ARRAY;
        case "JSONSchemaPropsOrBool":
          return Special.PROPS_OR_BOOL;
        case "JSONSchemaPropsOrStringArray":
          return Special.PROPS_OR_STRING_ARRAY;
        default:
          return Special.NONE;
      }
    }
    // Go named slices of strings (authentication's and authorization's UserInfo extra values).
    if (name.equals("ExtraValue") && d.getFields().size() == 1 && d.getFields().get(0).isRepeated()) {
      return Special.STRING_ARRAY;
    }
    return Special.NONE;
  }

  /** One field, with its JSON name and rules resolved. */
  static final class FieldInfo {
    final int number;
    final int slot;
    final String name;
    final String jsonName;
    final FieldDescriptor.Type type;
    final boolean repeated;
    final boolean map;
    final boolean omitZero;
    final boolean keepEmptyString;
    final boolean inline;
    /** For message fields: the message; for map fields: the value's message, or null for scalar values. */
    final MessageInfo message;
    /** For map fields: the value's type. */
    final FieldDescriptor.Type valueType;

    FieldInfo(MessageInfo owner, FieldDescriptor fd, int slot, Map<Descriptor, MessageInfo> infos) {
      String ownerName = owner.fullName();
      this.number = fd.getNumber();
      this.slot = slot;
      this.name = fd.getName();
      this.jsonName = GoJsonRules.jsonName(ownerName, name);
      this.type = fd.getType();
      this.map = fd.isMapField();
      this.repeated = fd.isRepeated() && !map;
      this.omitZero = GoJsonRules.omitsZero(ownerName, name);
      this.keepEmptyString = GoJsonRules.keepsEmptyString(ownerName, name);
      this.inline = GoJsonRules.isInline(ownerName, name);
      if (map) {
        FieldDescriptor value = fd.getMessageType().findFieldByNumber(2);
        this.valueType = value.getType();
        this.message = value.getType() == FieldDescriptor.Type.MESSAGE ? info(infos, value.getMessageType()) : null;
      } else {
        this.valueType = null;
        this.message = fd.getType() == FieldDescriptor.Type.MESSAGE ? info(infos, fd.getMessageType()) : null;
      }
    }

    private static MessageInfo info(Map<Descriptor, MessageInfo> infos, Descriptor d) {
      MessageInfo mi = infos.get(d);
      if (mi == null) {
        throw new IllegalStateException("no table for " + d.getFullName());
      }
      return mi;
    }

    /** The wire type a single value of this field has. */
    int wireType() {
      return wireTypeOf(map ? FieldDescriptor.Type.MESSAGE : type);
    }

    static int wireTypeOf(FieldDescriptor.Type t) {
      switch (t) {
        case DOUBLE:
        case FIXED64:
        case SFIXED64:
          return 1;
        case FLOAT:
        case FIXED32:
        case SFIXED32:
          return 5;
        case STRING:
        case BYTES:
        case MESSAGE:
          return 2;
        case GROUP:
          return 3;
        default:
          return 0;
      }
    }
  }
}
