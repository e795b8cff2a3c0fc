package dev.hostplane.apiserver.openapi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed definitions are what the generator makes of its sources (when they are in the local repository). */
class DefinitionsGeneratorTest {
  @Test
  void committedDefinitionsAreUpToDate() throws Exception {
    Path m2 = Path.of(System.getProperty("hostplane.m2", System.getProperty("user.home") + "/.m2/repository"));
    // The inputs are test dependencies of this module, so Maven has put them in the local repository.
    for (Path input : new Path[] {
        m2.resolve("io/kubernetes/client-java-proto/" + DefinitionsGenerator.CLIENT_JAVA + "/client-java-proto-"
            + DefinitionsGenerator.CLIENT_JAVA + "-sources.jar"),
        m2.resolve("io/kubernetes/client-java-api/" + DefinitionsGenerator.CLIENT_JAVA + "/client-java-api-"
            + DefinitionsGenerator.CLIENT_JAVA + ".jar"),
        m2.resolve("com/google/code/gson/gson/" + DefinitionsGenerator.GSON + "/gson-" + DefinitionsGenerator.GSON
            + ".jar")}) {
      if (!Files.isRegularFile(input)) {
        throw new AssertionError("generator input missing: " + input + " (declared as a test dependency)");
      }
    }
    JsonNode generated = new ObjectMapper().readTree(new ObjectMapper().writeValueAsBytes(
        new DefinitionsGenerator(m2).build()));
    JsonNode committed = new ObjectMapper().readTree(Path.of(DefinitionsGenerator.OUTPUT).toFile());
    assertEquals(committed, generated, "regenerate with DefinitionsGeneratorRun (see DefinitionsGenerator)");
  }
}
