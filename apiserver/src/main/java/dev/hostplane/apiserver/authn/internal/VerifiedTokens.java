package dev.hostplane.apiserver.authn.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The claims of tokens whose signature was verified, keyed by the SHA-256 of the token (tokens themselves are not
 * kept), least recently used first out beyond {@code capacity}. Only the signature is cached: callers check times
 * and objects on every use. Thread-safe.
 */
public final class VerifiedTokens {
  private final Map<String, JsonNode> entries;

  public VerifiedTokens(int capacity) {
    this.entries = new LinkedHashMap<>(64, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, JsonNode> eldest) {
        return size() > capacity;
      }
    };
  }

  /** The verified claims of {@code token}, or null. */
  public JsonNode get(String token) {
    String key = hash(token);
    synchronized (entries) {
      return entries.get(key);
    }
  }

  public void put(String token, JsonNode claims) {
    String key = hash(token);
    synchronized (entries) {
      entries.put(key, claims);
    }
  }

  public void remove(String token) {
    String key = hash(token);
    synchronized (entries) {
      entries.remove(key);
    }
  }

  private static String hash(String token) {
    try {
      return Base64.getEncoder().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
