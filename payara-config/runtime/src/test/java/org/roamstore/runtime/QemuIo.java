package org.roamstore.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs qemu-io (Debian's qemu-utils) against an NBD URI from inside the container; in-container
 * tests add this class to their deployment.
 */
final class QemuIo {
  record Result(int exit, String output) {}

  private QemuIo() {}

  static Result run(String uri, String... commands) throws IOException, InterruptedException {
    Process process = start(uri, commands);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "qemu-io finishes");
    return new Result(
        process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  /** Starts qemu-io with the commands in order; its output (both streams) is the process's. */
  static Process start(String uri, String... commands) throws IOException {
    List<String> command = new ArrayList<>(List.of("qemu-io", "-f", "raw"));
    for (String c : commands) {
      command.add("-c");
      command.add(c);
    }
    command.add(uri);
    try {
      return new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("qemu-io is missing: apt-get install qemu-utils", e);
    }
  }
}
