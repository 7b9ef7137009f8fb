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
    return start(log, readyText, List.of(), mainClass, args);
  }

  /** As {@link #start(Path, String, String, String...)}, with more JVM options ({@code -D...}). */
  static ChildProcess start(
      Path log, String readyText, List<String> jvmOptions, String mainClass, String... args)
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
            // Out of heap, a process exits (fails fast, as a crash) instead of lingering
            // unanswering.
            "-XX:+ExitOnOutOfMemoryError",
            "-Dorg.slf4j.simpleLogger.log.org.apache.activemq.audit=off",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classPath, mainClass));
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

  /**
   * Sends one command line to the process's standard input and returns the first line of its output
   * after that which starts with one of {@code answers}.
   */
  String command(String line, Duration within, String... answers) throws IOException {
    long seen = Files.readAllLines(log, StandardCharsets.UTF_8).size();
    process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().flush();
    String[] found = new String[1];
    await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(50))
        .failFast("the process exited: " + log, () -> !process.isAlive())
        .until(
            () -> {
              List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
              for (int i = (int) seen; i < lines.size(); i++) {
                for (String a : answers) {
                  if (lines.get(i).startsWith(a)) {
                    found[0] = lines.get(i);
                    return true;
                  }
                }
              }
              return false;
            });
    return found[0];
  }

  /** The last line of the output that starts with {@code prefix}, or null. */
  String lastLine(String prefix) throws IOException {
    String last = null;
    for (String l : Files.readAllLines(log, StandardCharsets.UTF_8)) {
      if (l.startsWith(prefix)) {
        last = l;
      }
    }
    return last;
  }

  /** SIGKILL: no shutdown hook, no flush, nothing. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGSTOP: the process stops where it is, sockets open, until {@link #resume}. */
  void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** SIGCONT. */
  void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    if (!process.isAlive()) {
      return; // nothing to stop or continue
    }
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " failed");
    }
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
