package dev.hostplane.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.registry.ResourceType;

/**
 * What admission sees of one write, as upstream's admission.Attributes. {@code object} is the incoming object (a
 * mutating plugin may change it in place); {@code oldObject} is the stored one for UPDATE and DELETE, else null.
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
    UserInfo user) {

  public enum Operation { CREATE, UPDATE, DELETE, CONNECT }
}
