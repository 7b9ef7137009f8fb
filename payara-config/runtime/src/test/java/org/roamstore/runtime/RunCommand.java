package org.roamstore.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * README's run command as the tests start it: {@code roamstore run} on a data directory and ports
 * of the test's choosing (NBD on ephemeral ports), its output in a file in that directory.
 */
final class RunCommand implements AutoCloseable {
  private static final Pattern URL = Pattern.compile("Roamstore is running: (https?://\\S+)");

  final Process process;
  final String url;

  private RunCommand(Process process, String url) {
    this.process = process;
    this.url = url;
  }

  /** Starts it and waits, at most 300 s, for the gateway URL it prints. */
  static RunCommand start(Path data, int httpPort, int brokerPort, int round) throws Exception {
    Path log = Files.createDirectories(data).resolve("run-command-" + round + ".out");
    Process process =
        new ProcessBuilder(
                "bash",
                System.getProperty("roamstore.launcher"),
                "run",
                "--data",
                data.toString(),
                "--port",
                String.valueOf(httpPort),
                "--broker-port",
                String.valueOf(brokerPort),
                "--nbd-port",
                "0")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (System.nanoTime() < deadline) {
      Matcher m = URL.matcher(Files.readString(log));
      if (m.find()) {
        return new RunCommand(process, m.group(1));
      }
      if (!process.isAlive()) {
        throw new AssertionError("the run command exited early:\n" + Files.readString(log));
      }
      Thread.sleep(500); // polling a log file the launcher writes; there is no event to wait on
    }
    process.destroyForcibly();
    throw new AssertionError("no gateway URL printed within 300 s:\n" + Files.readString(log));
  }

  /** SIGTERM, as Ctrl-C's INT would: the launcher stops Payara (its units flush) and the broker. */
  void stop() throws InterruptedException {
    process.destroy();
    assertTrue(process.waitFor(90, TimeUnit.SECONDS), "the run command stops within 90 s");
  }

  /** For an {@code @AfterEach}: stops it if it still runs, however the test ended. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
