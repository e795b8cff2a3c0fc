package dev.hostplane.ops.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One real kubectl binary of a given version, pointed at one apiserver: every command runs with
 * {@code --kubeconfig}, its own {@code HOME} and {@code KUBECACHEDIR}, and a timeout after which the process is
 * killed. Failed expectations report the command, its exit code and both outputs.
 *
 * <p>The binaries are the project machines' {@code kubectl.1.NN}, which sit beside the file that
 * {@code readlink -f "$(command -v kubectl)"} names; a missing version fails the test (never skips it).
 */
final class Kubectl {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*m");

  private final String version;
  private final Path binary;
  private final Path kubeconfig;
  private final Path home;
  private final Path cacheDir;
  private final Path workDir;

  private Kubectl(String version, Path binary, Path kubeconfig, Path stateDir) throws IOException {
    this.version = version;
    this.binary = binary;
    this.kubeconfig = kubeconfig;
    this.home = Files.createDirectories(stateDir.resolve("home"));
    this.cacheDir = Files.createDirectories(stateDir.resolve("cache"));
    this.workDir = Files.createDirectories(stateDir.resolve("runs"));
  }

  /**
   * kubectl {@code version} (e.g. "1.30") against the cluster of {@code kubeconfig}, keeping its home, discovery
   * cache and captured outputs under {@code stateDir}. Fails the calling test if that binary does not exist.
   */
  static Kubectl of(String version, Path kubeconfig, Path stateDir) throws IOException {
    return new Kubectl(version, locate(version), kubeconfig, stateDir);
  }

  /** {@code kubectl.<version>} beside the real file behind the {@code kubectl} on the PATH. */
  static Path locate(String version) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(Pattern.quote(File.pathSeparator))) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, "kubectl");
      if (!Files.isRegularFile(candidate) || !Files.isExecutable(candidate)) {
        continue;
      }
      Path real;
      try {
        real = candidate.toRealPath();
      } catch (IOException e) {
        continue;
      }
      Path versioned = real.resolveSibling("kubectl." + version);
      if (!Files.isRegularFile(versioned) || !Files.isExecutable(versioned)) {
        fail("kubectl " + version + " is required by this suite but " + versioned + " is missing or not executable"
            + " (looked beside " + real + ", the real file of " + candidate + " on the PATH)");
      }
      return versioned;
    }
    return fail("kubectl " + version + " is required by this suite but no kubectl is on the PATH (" + path
        + "); the versioned binaries kubectl.1.NN are found beside it");
  }

  String version() {
    return version;
  }

  /** Runs {@code kubectl <args>} and returns whatever happened (a timeout fails the test). */
  Result run(String... args) {
    return runWithStdin(null, args);
  }

  /** Runs {@code kubectl <args>} with {@code stdin} (null: none) on standard input. */
  Result runWithStdin(String stdin, String... args) {
    List<String> command = command(args);
    Path out = null;
    Path err = null;
    Process process = null;
    try {
      out = Files.createTempFile(workDir, "stdout-", ".txt");
      err = Files.createTempFile(workDir, "stderr-", ".txt");
      process = builder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      try (OutputStream in = process.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        // kubectl may exit without reading its input; its exit code and output tell the story.
      }
      boolean exited = process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (!exited) {
        kill(process);
        Result partial = new Result(version, command, stdin, -1, Files.readString(out), Files.readString(err));
        return fail("timed out after " + TIMEOUT.toSeconds() + "s and was killed\n" + partial.describe());
      }
      return new Result(version, command, stdin, process.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    } finally {
      if (process != null) {
        kill(process);
      }
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  /** Runs and asserts exit code 0. */
  Result ok(String... args) {
    return run(args).assertSuccess();
  }

  /** Runs with {@code stdin} and asserts exit code 0. */
  Result okWithStdin(String stdin, String... args) {
    return runWithStdin(stdin, args).assertSuccess();
  }

  /** Runs and asserts a non-zero exit code. */
  Result fails(String... args) {
    return run(args).assertFailure();
  }

  /** {@code kubectl <args> create -f -} with {@code yaml} on standard input, asserted to succeed. */
  Result create(String yaml, String... args) {
    String[] all = Arrays.copyOf(args, args.length + 3);
    all[args.length] = "create";
    all[args.length + 1] = "-f";
    all[args.length + 2] = "-";
    return okWithStdin(yaml, all);
  }

  /** The lines of {@code kubectl <args> -o name} (e.g. {@code configmap/a}), asserted to succeed, in order. */
  List<String> names(String... args) {
    String[] withOutput = Arrays.copyOf(args, args.length + 2);
    withOutput[args.length] = "-o";
    withOutput[args.length + 1] = "name";
    return ok(withOutput).lines().stream().filter(l -> !l.isBlank()).toList();
  }

  /** {@code kubectl <args> -o json}, asserted to succeed, parsed. */
  JsonNode json(String... args) {
    String[] withOutput = Arrays.copyOf(args, args.length + 2);
    withOutput[args.length] = "-o";
    withOutput[args.length + 1] = "json";
    return ok(withOutput).json();
  }

  /** Starts {@code kubectl <args>} in the background (e.g. {@code get -w}); close it to kill it. */
  Background start(String... args) throws IOException {
    List<String> command = command(args);
    Path out = Files.createTempFile(workDir, "bg-stdout-", ".txt");
    Path err = Files.createTempFile(workDir, "bg-stderr-", ".txt");
    Process process = builder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    process.getOutputStream().close();
    return new Background(version, command, process, out, err);
  }

  private List<String> command(String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    return command;
  }

  private ProcessBuilder builder(List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    Map<String, String> env = builder.environment();
    // Nothing from the developer's own kubectl setup may leak in.
    env.keySet().removeIf(k -> k.equals("KUBECONFIG") || k.startsWith("KUBECTL_") || k.startsWith("KUBE_"));
    env.put("HOME", home.toString());
    env.put("KUBECACHEDIR", cacheDir.toString());
    return builder;
  }

  static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // a leftover in the test's temporary directory
      }
    }
  }

  /** A table line whose first cells are {@code cells}, separated by blanks. */
  static Pattern row(String... cells) {
    return Pattern.compile(Stream.of(cells).map(Pattern::quote).collect(Collectors.joining("\\s+")) + "(\\s.*)?");
  }

  static String stripAnsi(String s) {
    return ANSI.matcher(s).replaceAll("");
  }

  /** What one kubectl command did. {@code exitCode} is -1 when it was killed. */
  record Result(String version, List<String> command, String stdin, int exitCode, String stdout, String stderr) {

    Result assertSuccess() {
      if (exitCode != 0) {
        fail("expected exit code 0\n" + describe());
      }
      return this;
    }

    Result assertFailure() {
      if (exitCode == 0) {
        fail("expected a non-zero exit code\n" + describe());
      }
      return this;
    }

    /** Asserts that standard error contains every one of {@code parts}. */
    Result assertStderrContains(String... parts) {
      for (String part : parts) {
        if (!stderr.contains(part)) {
          fail("expected stderr to contain \"" + part + "\"\n" + describe());
        }
      }
      return this;
    }

    /** Asserts that standard output (without colours) contains every one of {@code parts}. */
    Result assertStdoutContains(String... parts) {
      String plain = stripAnsi(stdout);
      for (String part : parts) {
        if (!plain.contains(part)) {
          fail("expected stdout to contain \"" + part + "\"\n" + describe());
        }
      }
      return this;
    }

    /**
     * Asserts that a line of standard output is a table row starting with {@code cells}, separated by blanks
     * (more columns may follow).
     */
    Result assertRow(String... cells) {
      Pattern p = row(cells);
      if (lines().stream().noneMatch(l -> p.matcher(l).matches())) {
        fail("expected a table row starting with " + List.of(cells) + "\n" + describe());
      }
      return this;
    }

    /** Standard output without colours, as lines. */
    List<String> lines() {
      return stripAnsi(stdout).lines().toList();
    }

    JsonNode json() {
      try {
        JsonNode tree = JSON.readTree(stdout);
        if (tree == null || tree.isMissingNode()) {
          return fail("stdout is empty, expected JSON\n" + describe());
        }
        return tree;
      } catch (IOException e) {
        return fail("stdout is not JSON: " + e.getMessage() + "\n" + describe());
      }
    }

    String describe() {
      return "kubectl " + version + " exited " + exitCode + "\n  command: " + String.join(" ", command)
          + (stdin == null ? "" : "\n  stdin:\n" + indent(stdin))
          + "\n  stdout:\n" + indent(stdout) + "\n  stderr:\n" + indent(stderr);
    }
  }

  /** A kubectl left running (a watch); {@link #close} kills it. */
  static final class Background implements AutoCloseable {
    private final String version;
    private final List<String> command;
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    Background(String version, List<String> command, Process process, Path stdout, Path stderr) {
      this.version = version;
      this.command = command;
      this.process = process;
      this.stdout = stdout;
      this.stderr = stderr;
    }

    /**
     * Waits until standard output (without colours) satisfies {@code condition} and returns it; fails with both
     * outputs when {@code timeout} passes first or the process exits without satisfying it.
     */
    String awaitStdout(String what, Predicate<String> condition, Duration timeout) throws IOException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        boolean exited = !process.isAlive();
        String out = stripAnsi(Files.readString(stdout));
        if (condition.test(out)) {
          return out;
        }
        if (exited || System.nanoTime() - deadline > 0) {
          return fail("background kubectl " + version + ": " + (exited ? "exited" : "still running after "
              + timeout.toSeconds() + "s") + " without printing " + what + "\n  command: " + String.join(" ", command)
              + "\n  stdout:\n" + indent(out) + "\n  stderr:\n" + indent(Files.readString(stderr)));
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
      }
    }

    @Override
    public void close() {
      kill(process);
    }
  }

  private static String indent(String s) {
    if (s.isEmpty()) {
      return "    <empty>";
    }
    return s.lines().map(l -> "    " + l).reduce((a, b) -> a + "\n" + b).orElse("");
  }
}
