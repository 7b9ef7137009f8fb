package org.roamstore.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
    return run(null, uri, commands);
  }

  /**
   * {@code tls}: the client's TLS directory (ca-cert.pem, client-cert.pem, client-key.pem), used
   * when the URI is {@code nbds://}; qemu takes TLS only as options, never in the URI.
   */
  static Result run(Path tls, String uri, String... commands)
      throws IOException, InterruptedException {
    Process process = start(tls, uri, commands);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "qemu-io finishes");
    return new Result(
        process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  /** Starts qemu-io with the commands in order; its output (both streams) is the process's. */
  static Process start(String uri, String... commands) throws IOException {
    return start(null, uri, commands);
  }

  static Process start(Path tls, String uri, String... commands) throws IOException {
    List<String> command = new ArrayList<>(List.of("qemu-io"));
    URI parsed = URI.create(uri);
    if ("nbds".equals(parsed.getScheme())) {
      if (tls == null) {
        throw new AssertionError("an nbds:// URI needs the client's TLS directory: " + uri);
      }
      command.addAll(
          List.of(
              "--object",
              "tls-creds-x509,id=tls0,dir=" + tls + ",endpoint=client",
              "--image-opts"));
    } else {
      command.addAll(List.of("-f", "raw"));
    }
    for (String c : commands) {
      command.add("-c");
      command.add(c);
    }
    if ("nbds".equals(parsed.getScheme())) {
      command.add(
          "driver=nbd,host="
              + parsed.getHost()
              + ",port="
              + parsed.getPort()
              + ",export="
              + parsed.getPath().substring(1)
              + ",tls-creds=tls0");
    } else {
      command.add(uri);
    }
    try {
      return new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("qemu-io is missing: apt-get install qemu-utils", e);
    }
  }
}
