package dev.hostplane.apiserver.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;

/** JSON literals for tests. */
public final class TestJson {
  private TestJson() {}

  public static JsonNode parse(String json) {
    try {
      return Codecs.mapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
