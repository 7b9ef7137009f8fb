package org.roamstore.storage.replication;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of its own running a main class of the test class path (a storage control unit, a broker),
 * so a test can kill it with SIGKILL. Output goes to a file the test waits on.
 */
final class ChildProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private ChildProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static ChildProcess start(Path log, String readyText, String mainClass, String... args)
      throws IOException {
    // Surefire puts the whole test class path here (java.class.path may be a manifest-only jar).
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-Xmx256m",
            "-XX:MaxDirectMemorySize=256m",
            "-Dorg.slf4j.simpleLogger.log.org.apache.activemq.audit=off",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-cp",
            classPath,
            mainClass));
    command.addAll(List.of(args));
    Files.createDirectories(log.getParent());
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    ChildProcess child = new ChildProcess(process, log);
    long lines = Files.readAllLines(log).stream().filter(l -> l.contains(readyText)).count();
    await()
        .atMost(Duration.ofSeconds(60))
        .failFast("the process exited: " + log, () -> !process.isAlive())
        .until(
            () ->
                Files.readString(log, StandardCharsets.UTF_8)
                        .lines()
                        .filter(l -> l.contains(readyText))
                        .count()
                    > lines);
    return child;
  }

  /** SIGKILL: no shutdown hook, no flush, nothing. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String output() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  /** SIGTERM: the process's shutdown hook stops it cleanly. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
