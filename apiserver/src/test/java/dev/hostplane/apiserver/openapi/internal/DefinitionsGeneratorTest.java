package dev.hostplane.apiserver.openapi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The committed definitions are what the generator makes of its sources (when they are in the local repository). */
class DefinitionsGeneratorTest {
  @Test
  void committedDefinitionsAreUpToDate() throws Exception {
    Path m2 = Path.of(System.getProperty("hostplane.m2", System.getProperty("user.home") + "/.m2/repository"));
    Assumptions.assumeTrue(Files.isRegularFile(m2.resolve("io/kubernetes/client-java-proto/"
        + DefinitionsGenerator.CLIENT_JAVA + "/client-java-proto-" + DefinitionsGenerator.CLIENT_JAVA
        + "-sources.jar")), "generator sources not in the local repository");
    Assumptions.assumeTrue(Files.isRegularFile(m2.resolve("io/kubernetes/client-java-api/"
        + DefinitionsGenerator.CLIENT_JAVA + "/client-java-api-" + DefinitionsGenerator.CLIENT_JAVA + ".jar")));
    Assumptions.assumeTrue(Files.isRegularFile(m2.resolve("com/google/code/gson/gson/" + DefinitionsGenerator.GSON
        + "/gson-" + DefinitionsGenerator.GSON + ".jar")));
    JsonNode generated = new ObjectMapper().readTree(new ObjectMapper().writeValueAsBytes(
        new DefinitionsGenerator(m2).build()));
    JsonNode committed = new ObjectMapper().readTree(Path.of(DefinitionsGenerator.OUTPUT).toFile());
    assertEquals(committed, generated, "regenerate with DefinitionsGeneratorRun (see DefinitionsGenerator)");
  }
}
