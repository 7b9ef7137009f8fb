package org.roamstore.ear;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A domain of a full server (Payara Server, GlassFish: the same asadmin) made for one test class
 * under its own folder, on a free block of loopback ports, and run until {@link #close}, which
 * stops it and kills its JVM if it is still there. Every asadmin call's output is kept in the
 * folder's asadmin.log.
 */
final class AsadminDomain implements AutoCloseable {
  private static final String NAME = "roamstore-it";

  record Result(int exit, String output) {}

  private final Path asadmin;
  private final Path dir;
  private final Path domains;
  private final int portBase;

  private AsadminDomain(Path asadmin, Path dir, int portBase) {
    this.asadmin = asadmin;
    this.dir = dir;
    this.domains = dir.resolve("domains");
    this.portBase = portBase;
  }

  /**
   * Makes and starts a fresh domain of the server installed at {@code home}, under {@code dir}
   * (emptied first: an old domain would hide a failure). A domain that fails to start is stopped
   * before the failure is thrown.
   */
  static AsadminDomain start(Path home, Path dir) throws Exception {
    Path asadmin = home.resolve("bin/asadmin");
    if (!asadmin.toFile().setExecutable(true)) {
      throw new IllegalStateException("cannot make " + asadmin + " executable");
    }
    delete(dir);
    Files.createDirectories(dir);
    AsadminDomain domain = new AsadminDomain(asadmin, dir, freePortBase());
    try {
      domain.ok(
          "create-domain",
          "--nopassword",
          "--portbase",
          String.valueOf(domain.portBase),
          "--domaindir",
          domain.domains.toString(),
          NAME);
      domain.ok("start-domain", "--domaindir", domain.domains.toString(), NAME);
      return domain;
    } catch (Throwable t) {
      domain.close();
      throw t;
    }
  }

  int httpPort() {
    return portBase + 80;
  }

  Path serverLog() {
    return domains.resolve(NAME + "/logs/server.log");
  }

  /** An asadmin command against this domain's admin port. */
  Result admin(String... args) throws IOException, InterruptedException {
    return run(atAdminPort(args));
  }

  /** An admin command that must succeed. */
  void adminOk(String... args) throws IOException, InterruptedException {
    ok(atAdminPort(args));
  }

  private String[] atAdminPort(String... args) {
    List<String> all = new ArrayList<>(List.of("--port", String.valueOf(portBase + 48)));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  private void ok(String... args) throws IOException, InterruptedException {
    Result result = run(args);
    assertEquals(0, result.exit(), "asadmin " + String.join(" ", args) + ":\n" + result.output());
  }

  /**
   * Runs asadmin with its output in a file, not a pipe: start-domain's server could hold a pipe
   * open, and a read of it would then outlast the time limit.
   */
  private Result run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(asadmin.toString(), "--interactive=false"));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "asadmin", ".out");
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    boolean finished = process.waitFor(300, TimeUnit.SECONDS);
    if (!finished) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    String output = Files.readString(out, StandardCharsets.UTF_8);
    Files.delete(out);
    Files.writeString(
        dir.resolve("asadmin.log"),
        "$ asadmin " + String.join(" ", args) + "\n" + output + "\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    if (!finished) {
      throw new AssertionError("asadmin " + args[0] + " did not finish in 300 s:\n" + output);
    }
    return new Result(process.exitValue(), output);
  }

  /**
   * Stops the domain; its JVM is killed if it is still running after that (stop-domain failed or
   * hung, or the domain never answered), so no test leaves a server behind.
   */
  @Override
  public void close() throws IOException, InterruptedException {
    try {
      run("stop-domain", "--domaindir", domains.toString(), NAME);
    } finally {
      Path pidFile = domains.resolve(NAME + "/config/pid");
      if (Files.exists(pidFile)) {
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        // Only this domain's JVM: after a clean stop the number may belong to another process.
        ProcessHandle.of(pid)
            .filter(
                p ->
                    p.info()
                        .commandLine()
                        .map(line -> line.contains(domains.toString()))
                        .orElse(false))
            .ifPresent(
                server -> {
                  server.destroyForcibly();
                  server.onExit().join();
                });
      }
    }
  }

  static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** A base whose admin (+48) and HTTP (+80) ports, among others up to +100, are free. */
  private static int freePortBase() throws IOException {
    for (int base = 28000; base < 40000; base += 100) {
      if (free(base + 48) && free(base + 80) && free(base + 81) && free(base + 86)) {
        return base;
      }
    }
    throw new IllegalStateException("no free port base for the server's domain");
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
