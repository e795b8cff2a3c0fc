package dev.hostplane.apiserver.storage;

/**
 * One version of one key as the backend holds it. {@code value} is opaque to the backend (the registry stores
 * JSON); it must not be mutated by anyone once handed over. {@code modRevision} is the object's resourceVersion.
 */
public record StoredObject(String key, byte[] value, long createRevision, long modRevision) {}
