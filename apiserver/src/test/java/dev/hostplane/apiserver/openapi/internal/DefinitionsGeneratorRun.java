package dev.hostplane.apiserver.openapi.internal;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** Regenerates the committed definitions; see {@link DefinitionsGenerator} for how to run it. */
class DefinitionsGeneratorRun {
  @Test
  @EnabledIfSystemProperty(named = "hostplane.openapi.generate", matches = "true")
  void regenerate() throws Exception {
    Path m2 = Path.of(System.getProperty("hostplane.m2", System.getProperty("user.home") + "/.m2/repository"));
    // Surefire runs with the module directory as the working directory.
    for (String note : DefinitionsGenerator.generate(m2, Path.of("").toAbsolutePath())) {
      System.out.println("note: " + note);
    }
  }
}
