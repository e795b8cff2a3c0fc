package dev.hostplane.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.registry.ResourceType;

/**
 * What admission sees of one write, as upstream's admission.Attributes. {@code object} is the incoming object in
 * the storage version of {@code type}'s resource (a mutating plugin may change it in place); {@code oldObject} is
 * the stored one for UPDATE and DELETE, else null. For CONNECT, {@code object} is the connect options (for example
 * a {@code PodExecOptions}). {@code options} is the operation's options object ({@code CreateOptions},
 * {@code UpdateOptions}, {@code DeleteOptions}, or the connect options), null when unknown; {@code context} reaches
 * the request (warnings, audit annotations, deadline).
 */
public record Attributes(
    Operation operation,
    ResourceType type,
    String namespace,
    String name,
    String subresource,
    ObjectNode object,
    ObjectNode oldObject,
    boolean dryRun,
    UserInfo user,
    ObjectNode options,
    AdmissionContext context) {

  public enum Operation { CREATE, UPDATE, DELETE, CONNECT }

  public Attributes {
    context = context == null ? AdmissionContext.NONE : context;
  }

  /** Attributes without options and outside any request. */
  public Attributes(Operation operation, ResourceType type, String namespace, String name, String subresource,
      ObjectNode object, ObjectNode oldObject, boolean dryRun, UserInfo user) {
    this(operation, type, namespace, name, subresource, object, oldObject, dryRun, user, null,
        AdmissionContext.NONE);
  }
}
