package org.roamstore.storage.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real client (qemu-io, nbdcopy, openssl, ...) with its output in a file under the test's
 * directory.
 */
final class ClientProcess {
  record Result(int exit, String output) {}

  private ClientProcess() {}

  static void requireTool(String path, String debianPackage) {
    if (!Files.isExecutable(Path.of(path))) {
      fail(
          path
              + " is missing: install the Debian package "
              + debianPackage
              + " (apt-get install "
              + debianPackage
              + ")");
    }
  }

  /** Runs {@code command}, failing the test unless it exits 0 and verified every pattern. */
  static String run(Path logDir, String... command) throws IOException, InterruptedException {
    Result r = runAllowingFailure(logDir, command);
    assertEquals(0, r.exit(), String.join(" ", command) + " failed:\n" + r.output());
    assertTrue(
        !r.output().contains("Pattern verification failed"), "pattern mismatch:\n" + r.output());
    return r.output();
  }

  static Result runAllowingFailure(Path logDir, String... command)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile(logDir, "client", ".log");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(command[0] + " did not finish within 90 s:\n" + Files.readString(log));
    }
    return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }
}
