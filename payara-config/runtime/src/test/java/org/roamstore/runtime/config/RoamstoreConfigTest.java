package org.roamstore.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's view: the commands, their output, and what they refuse before writing anything.
 */
class RoamstoreConfigTest {
  @TempDir Path dir;

  @Test
  void resolvePrintsShellAssignmentsTheLauncherEvaluates() throws Exception {
    String out =
        RoamstoreConfig.run(
            List.of(
                "resolve", "--dist", "target/roamstore", "--data", dir.resolve("it's").toString()),
            Map.of());
    assertTrue(out.contains("DATA='" + dir + "/it'\\''s'\n"), out);
    assertTrue(out.contains("SITES=('seattle' 'portland' 'sanfrancisco')\n"), out);
    assertTrue(out.contains("DEMO_TLS='false'\n"), out);
  }

  @Test
  void renderPostBootWritesTheFileAndNamesIt() throws Exception {
    Path data = dir.resolve("data");
    String out =
        RoamstoreConfig.run(
            List.of("render-post-boot", "--dist", "target/roamstore", "--data", data.toString()),
            Map.of());
    Path file = data.resolve("runtime/post-boot.asadmin");
    assertEquals(file + "\n", out);
    assertTrue(Files.readString(file).contains("ping-connection-pool storage-sanfrancisco-pool\n"));
  }

  @Test
  void aBadTopologyWritesNothing() throws Exception {
    Path data = dir.resolve("data");
    Path topology =
        Files.writeString(dir.resolve("t.json"), "{\"dataCenters\": [\n  {\"name\": 1}]}");
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                RoamstoreConfig.run(
                    List.of(
                        "render",
                        "--dist",
                        "target/roamstore",
                        "--data",
                        data.toString(),
                        "--topology",
                        topology.toString()),
                    Map.of()));
    assertEquals(
        "topology "
            + topology
            + " line 2: dataCenters[0].name: must be a non-empty string, not a number",
        e.getMessage());
    assertFalse(Files.exists(data.resolve("runtime")));
  }

  @Test
  void demoCertificatesAreMadeForTheSitesNamedAndThenKept() throws Exception {
    List<String> command =
        List.of(
            "demo-certificates",
            "--dist",
            "target/roamstore",
            "--dir",
            dir.resolve("tls").toString(),
            "--host",
            "127.0.0.1",
            "bench");
    assertEquals("ca bench client\n", RoamstoreConfig.run(command, Map.of()));
    assertTrue(Files.isRegularFile(dir.resolve("tls/bench/server-key.pem")));
    assertEquals("\n", RoamstoreConfig.run(command, Map.of()));

    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                RoamstoreConfig.run(
                    List.of("demo-certificates", "--dist", "target/roamstore", "bench"), Map.of()));
    assertEquals("usage: demo-certificates --dir DIR [--host HOST] SITE...", e.getMessage());
  }

  @Test
  void theDistributionMustBeNamedFirst() {
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> RoamstoreConfig.run(List.of("resolve"), Map.of()));
    assertEquals("--dist DIST (the assembled runtime) must come first", e.getMessage());
  }
}
