package org.roamstore.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The post-boot commands against those the shell launcher rendered before they moved into Java
 * (src/test/resources/config/*.asadmin, comments and blank lines left out), for the all-in-one
 * demo, a {@code run --site} server on PostgreSQL with its peers, and NBD over TLS with one
 * certificate directory for all sites.
 */
class PostBootFileTest {
  @TempDir Path dir;

  @Test
  void theDemoRunIsRenderedAsTheShellLauncherDid() throws Exception {
    Path data = dir.resolve("demo");
    RunSettings run =
        settings("--data", data.toString(), "--broker-port", "12345", "--nbd-port", "0");
    assertEquals(expected("demo", data, null), commands(PostBootFile.render(run, null)));
  }

  @Test
  void aSiteServerReachesTheOtherSitesThroughItsBroker() throws Exception {
    Path data = dir.resolve("site");
    Path tls = dir.resolve("tls");
    Files.createDirectories(tls.resolve("portland"));
    Files.writeString(tls.resolve("portland/server-cert.pem"), "not read here");
    RunSettings run =
        settings(
            "--data", data.toString(),
            "--site", "portland",
            "--host", "10.20.0.5",
            "--peer", "seattle=10.10.0.5:61616",
            "--peer", "sanfrancisco=10.30.0.5:61617",
            "--jdbc-url", "jdbc:postgresql://db.example:5432/roamstore",
            "--jdbc-user", "roamstore",
            "--nbd-tls-dir", tls.toString());
    assertEquals(expected("site", data, tls), commands(PostBootFile.render(run, null)));
  }

  @Test
  void oneCertificateDirectoryServesEverySiteWhenItHoldsTheFiles() throws Exception {
    Path data = dir.resolve("flat");
    Path tls = Files.createDirectories(dir.resolve("flat-tls"));
    Files.writeString(tls.resolve("server-cert.pem"), "not read here");
    RunSettings run =
        settings(
            "--data", data.toString(), "--nbd-tls", "optional", "--nbd-tls-dir", tls.toString());
    assertEquals(expected("tls-opt-flat", data, tls), commands(PostBootFile.render(run, null)));
  }

  @Test
  void aBackslashInAPasswordReachesThePoolIntact() throws Exception {
    RunSettings run =
        RunSettings.parse(
            Path.of("target/roamstore"),
            List.of("--data", dir.resolve("b").toString(), "--jdbc-url", "jdbc:h2:mem:x"),
            Map.of("ROAMSTORE_JDBC_PASSWORD", "a\\b"));
    assertTrue(PostBootFile.render(run, null).contains(":password=a\\\\b directory-pool\n"));
  }

  private RunSettings settings(String... args) throws ConfigException {
    // The site's database password comes from the environment (never an argument).
    return RunSettings.parse(
        Path.of("target/roamstore"), List.of(args), Map.of("ROAMSTORE_JDBC_PASSWORD", "p:w=d"));
  }

  private static List<String> commands(String file) {
    List<String> lines = new ArrayList<>();
    for (String line : file.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        lines.add(line);
      }
    }
    return lines;
  }

  private static List<String> expected(String name, Path data, Path tls) throws IOException {
    try (InputStream in =
        PostBootFileTest.class.getResourceAsStream("/config/" + name + ".asadmin")) {
      String text =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .replace("{DIST}", Path.of("target/roamstore").toAbsolutePath().toString())
              .replace("{DATA}", data.toAbsolutePath().toString());
      if (tls != null) {
        text = text.replace("{TLS}", tls.toAbsolutePath().toString());
      }
      return commands(text);
    }
  }
}
