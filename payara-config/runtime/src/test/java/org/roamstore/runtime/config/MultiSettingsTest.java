package org.roamstore.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MultiSettingsTest {
  @TempDir Path dir;

  @Test
  void eachSiteGetsItsOwnPortsAndEveryOtherSiteAsAPeer() throws Exception {
    MultiSettings multi = parse("--port", "9000", "--broker-port", "7000", "--nbd-port", "0");
    List<String> portland = multi.siteArguments(1);
    assertEquals(List.of("--site", "portland"), portland.subList(0, 2));
    assertEquals("9001", after(portland, "--port"));
    assertEquals("7001", after(portland, "--broker-port"));
    assertEquals("8444", after(portland, "--https-port"));
    assertEquals("0", after(portland, "--nbd-port"));
    assertEquals(dir.resolve("m/tls").toString(), after(portland, "--nbd-tls-dir"));
    assertTrue(portland.containsAll(List.of("--peer", "seattle=127.0.0.1:7000")));
    assertTrue(portland.contains("sanfrancisco=127.0.0.1:7002"));
    assertEquals("required", after(portland, "--nbd-tls"));
    // Mutual TLS between the brokers, every site's passwords in one secrets directory.
    assertEquals("required", after(portland, "--broker-tls"));
    assertEquals(dir.resolve("m/secrets").toString(), after(portland, "--broker-secrets"));
    assertTrue(multi.assignments().contains("SITES=('seattle' 'portland' 'sanfrancisco')\n"));
  }

  @Test
  void portsThatRunPastTheLastAreRefused() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("--broker-port", "65534"));
    assertEquals(
        "--broker-port 65534: the data centers need the ports up to 65536", e.getMessage());
  }

  @Test
  void runOptionsThatMultiDoesNotTakeAreRefused() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("--site", "seattle"));
    assertTrue(e.getMessage().startsWith("unknown option '--site'"), e.getMessage());
  }

  @Test
  void theDemoDatabasePasswordIsInAnOwnerOnlyFileNotAnArgument() throws Exception {
    MultiSettings multi = parse();
    Path file = multi.writeDatabasePassword();
    assertEquals("roamstore", SecretFiles.firstLine("test", file));
    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(
            java.nio.file.Files.getPosixFilePermissions(file)));
    for (int i = 0; i < 3; i++) {
      assertTrue(multi.siteArguments(i).stream().noneMatch(a -> a.startsWith("--jdbc-password")));
    }
  }

  @Test
  void brokerTlsIsOffOrRequired() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("--broker-tls", "maybe"));
    assertEquals("--broker-tls: off or required, not 'maybe'", e.getMessage());
  }

  private static String after(List<String> args, String option) {
    return args.get(args.indexOf(option) + 1);
  }

  private MultiSettings parse(String... args) throws ConfigException {
    List<String> all = new java.util.ArrayList<>(List.of("--data", dir.resolve("m").toString()));
    all.addAll(List.of(args));
    return MultiSettings.parse(Path.of("target/roamstore"), all, Map.of());
  }
}
