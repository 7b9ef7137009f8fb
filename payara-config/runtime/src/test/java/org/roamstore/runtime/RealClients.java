package org.roamstore.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real programs the tests drive as a user would; each returns everything the program printed. */
final class RealClients {
  private RealClients() {}

  static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished: " + command);
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  static String qemuIo(String nbdUri, String command) throws Exception {
    return run(List.of("qemu-io", "-f", "raw", nbdUri, "-c", command));
  }
}
