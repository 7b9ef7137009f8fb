package org.roamstore.runtime.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's own {@code keytool} ({@code java.home/bin/keytool}), the one tool of the JDK that signs
 * certificates (its classes are not an API). The store's password reaches it through its
 * environment ({@code -storepass:env}), never through its arguments, which other users can list.
 */
final class Keytool {
  /** The environment variable the child reads the store's password from. */
  static final String PASSWORD_VARIABLE = "ROAMSTORE_KEYTOOL_PASSWORD";

  private static final long TIMEOUT_SECONDS = 60;

  /** Failures quote at most this much of keytool's output. */
  private static final int MAX_OUTPUT = 400;

  private final Path executable;

  Keytool(Path javaHome) {
    this.executable = javaHome.resolve("bin").resolve("keytool");
  }

  /** The keytool of the JVM running this. */
  static Keytool ofThisJvm() {
    return new Keytool(Path.of(System.getProperty("java.home")));
  }

  /**
   * Runs {@code keytool COMMAND -keystore STORE -storetype PKCS12 -storepass:env ... ARGS}; {@code
   * what} names the step for the operator when it fails.
   */
  void run(String what, String command, Path store, String password, List<String> args)
      throws ConfigException {
    if (!Files.isExecutable(executable)) {
      throw new ConfigException(
          what + ": the JDK's keytool is missing (" + executable + "); a full JDK or JRE has it");
    }
    List<String> line = new ArrayList<>();
    line.add(executable.toString());
    // A short-lived JVM: quick to start rather than to run long.
    line.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-J-Xmx64m"));
    line.addAll(List.of(command, "-noprompt", "-keystore", store.toString()));
    line.addAll(List.of("-storetype", "PKCS12", "-storepass:env", PASSWORD_VARIABLE));
    line.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true);
    builder.environment().put(PASSWORD_VARIABLE, password);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new ConfigException(what + ": cannot start " + executable + ": " + e.getMessage(), e);
    }
    String output;
    try (InputStream in = process.getInputStream()) {
      process.getOutputStream().close();
      // keytool says little (a line or two); read it all, then keep a bounded piece.
      output = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new ConfigException(what + ": keytool did not end within " + TIMEOUT_SECONDS + " s");
      }
    } catch (IOException e) {
      process.destroyForcibly();
      throw new ConfigException(what + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new ConfigException(what + ": interrupted", e);
    }
    if (process.exitValue() != 0) {
      String said = output.strip().replaceAll("\\s+", " ");
      if (said.length() > MAX_OUTPUT) {
        said = said.substring(0, MAX_OUTPUT) + "...";
      }
      throw new ConfigException(
          what + ": keytool " + command + " failed (status " + process.exitValue() + "): " + said);
    }
  }
}
