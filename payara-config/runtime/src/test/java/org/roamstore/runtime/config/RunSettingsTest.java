package org.roamstore.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunSettingsTest {
  @TempDir Path dir;

  @Test
  void defaultsAreTheAllInOneDemo() throws Exception {
    RunSettings run = parse(Map.of());
    assertEquals(8080, run.httpPort());
    assertEquals(61616, run.brokerPort());
    assertEquals("off", run.nbdTls());
    assertEquals("off", run.https());
    assertNull(run.site());
    assertEquals(List.of("seattle", "portland", "sanfrancisco"), run.hostedSites());
    assertEquals("org.h2.jdbcx.JdbcDataSource", run.jdbc().dataSourceClass());
    assertFalse(run.demoTls());
  }

  @Test
  void aSiteServerRequiresTlsAndHttpsAndListensOnItsHost() throws Exception {
    RunSettings run =
        parse(Map.of(), "--site", "seattle", "--host", "10.0.0.1", "--jdbc-url", "jdbc:h2:mem:x");
    assertEquals("required", run.nbdTls());
    assertEquals("required", run.https());
    assertTrue(run.demoTls(), "the demo CA is made without --nbd-tls-dir");
    assertEquals(dir.resolve("data/tls"), run.tlsDirectory());
    assertEquals("10.0.0.1", run.brokerHost());
    assertEquals(List.of("seattle"), run.hostedSites());
  }

  @Test
  void environmentVariablesGiveDefaultsAndOptionsWin() throws Exception {
    RunSettings run =
        parse(
            Map.of("ROAMSTORE_PORT", "9090", "ROAMSTORE_BROKER_PORT", "7000"),
            "--broker-port",
            "7001");
    assertEquals(9090, run.httpPort());
    assertEquals(7001, run.brokerPort());
  }

  @Test
  void badOptionsAreRefusedByName() {
    assertEquals(
        "unknown option '--frobnicate' (see the top of payara-config/roamstore)",
        error(Map.of(), "--frobnicate", "1"));
    assertEquals(
        "--port needs a value (see the top of payara-config/roamstore)", error(Map.of(), "--port"));
    assertEquals("--port: a port number (1-65535), not 'http'", error(Map.of(), "--port", "http"));
    assertEquals(
        "--nbd-port (from ROAMSTORE_NBD_PORT): a port number (0-65535; 0 for ephemeral ports), not '70000'",
        error(Map.of("ROAMSTORE_NBD_PORT", "70000")));
    assertEquals(
        "--nbd-tls: off, optional or required, not 'sometimes'",
        error(Map.of(), "--nbd-tls", "sometimes"));
    assertEquals(
        "--https: off, optional or required, not 'yes'", error(Map.of(), "--https", "yes"));
    assertEquals(
        "--site tokyo: the topology has seattle portland sanfrancisco",
        error(Map.of(), "--site", "tokyo", "--jdbc-url", "jdbc:h2:mem:x"));
    assertEquals(
        "--site needs the shared directory database: --jdbc-url (see payara-config/postgres)",
        error(Map.of(), "--site", "seattle"));
    assertEquals(
        "--jdbc-url: only jdbc:postgresql: and jdbc:h2: URLs are supported, not 'jdbc:mysql://x'",
        error(Map.of(), "--jdbc-url", "jdbc:mysql://x"));
    assertEquals(
        "--https-port 8080 is the HTTP port too; choose another",
        error(Map.of(), "--https", "optional", "--https-port", "8080"));
    assertTrue(
        error(Map.of(), "--nbd-tls", "optional", "--nbd-tls-dir", "/no/such")
            .endsWith(": no such directory"));
    assertTrue(
        error(Map.of(), "--topology", "/no/such.json")
            .startsWith("--topology /no/such.json: no such file"));
  }

  @Test
  void peersAreCheckedAgainstTheTopology() {
    String[] site = {
      "--site", "seattle", "--jdbc-url", "jdbc:h2:mem:x", "--nbd-tls", "off", "--https", "off"
    };
    assertEquals(
        "--peer portland: not SITE=HOST:PORT", error(Map.of(), with(site, "--peer", "portland")));
    assertEquals(
        "--peer tokyo=h:1: the topology has no tokyo ([seattle, portland, sanfrancisco])",
        error(Map.of(), with(site, "--peer", "tokyo=h:1")));
    assertEquals(
        "--peer seattle=h:1: that is this server's own site (--site)",
        error(Map.of(), with(site, "--peer", "seattle=h:1")));
    assertEquals(
        "--peer portland=h:x: the port must be a number 1-65535",
        error(Map.of(), with(site, "--peer", "portland=h:x")));
    assertEquals(
        "--peer portland=h:1: needs --site (the server's own data center)",
        error(Map.of(), "--peer", "portland=h:1"));
  }

  @Test
  void aBadTopologyIsRefusedBeforeAnythingElse() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.json"), "{\"dataCenters\": {}}");
    assertEquals(
        "topology "
            + bad.toAbsolutePath()
            + " line 1: dataCenters: must be an array, not an object",
        error(Map.of(), "--topology", bad.toString()));
  }

  @Test
  void aDataDirectoryWithASpaceIsRefused() {
    assertTrue(error(Map.of(), "--data", dir.resolve("a b").toString()).startsWith("--data: '"));
  }

  private static String[] with(String[] base, String... more) {
    List<String> all = new ArrayList<>(List.of(base));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private RunSettings parse(Map<String, String> env, String... args) throws ConfigException {
    List<String> all = new ArrayList<>(List.of("--data", dir.resolve("data").toString()));
    all.addAll(List.of(args));
    return RunSettings.parse(Path.of("target/roamstore"), all, env);
  }

  private String error(Map<String, String> env, String... args) {
    return assertThrows(ConfigException.class, () -> parse(env, args)).getMessage();
  }
}
