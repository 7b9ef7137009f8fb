package org.roamstore.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The brokers' users and TLS as a start sets them up: passwords made once in owner-only files, the
 * files each kind of client reads, the stores made from PEM files (the demo CA's, and a server-only
 * certificate made by keytool), and the refusals of what would leak a password or cannot log in.
 */
class BrokerSecuritySettingsTest {
  private static final Path DIST = Path.of("target/roamstore");

  @TempDir Path dir;

  @Test
  void oneJvmLogsInAsRoamstoreWithPasswordsMadeOnceAndOwnerOnly() throws Exception {
    Path data = dir.resolve("demo");
    String first = render(data, Map.of());
    Path secrets = data.resolve("secrets");
    for (String name :
        List.of(
            "sites/seattle.password",
            "sites/portland.password",
            "sites/sanfrancisco.password",
            "sites/roamstore.password",
            "integrations/integration.password")) {
      assertEquals("rw-------", permissions(secrets.resolve(name)), name);
    }
    assertEquals("rwx------", permissions(secrets));
    String password = SecretFiles.firstLine("test", secrets.resolve("sites/roamstore.password"));
    assertEquals(48, password.length());

    // The adapter logs in (in the owner-only post-boot file), so do the storage pools.
    assertEquals("rw-------", permissions(Path.of(first)));
    String postBoot = Files.readString(Path.of(first));
    assertTrue(postBoot.contains(":UserName=roamstore:Password=" + password + " artemis-rar"));
    assertTrue(
        postBoot.contains(
            "--property UserName=roamstore:Password=" + password + " jms-roamstore-pool"),
        "the JMS pool signs its connections on as the site's user");
    assertTrue(
        postBoot.contains(
            ":BrokerClientProperties="
                + data.resolve("runtime/broker-client.properties").toString().replace(":", "\\:")));
    Properties client = properties(data.resolve("runtime/broker-client.properties"));
    assertEquals("roamstore", client.getProperty("user"));
    assertEquals(password, client.getProperty("password"));
    assertFalse(client.containsKey("sslEnabled"), "no TLS in one JVM by default");
    assertTrue(
        postBoot.contains(
            "--property UserName=roamstore:Password=" + password + " jms-roamstore-events-pool"),
        "the directory's events' pool signs its connections on as the site's user");
    // No system property needs the password: without TLS the file holds none of the broker's.
    assertTrue(properties(data.resolve("runtime/system.properties")).isEmpty());

    // A second start keeps every password: sites on several machines keep agreeing.
    render(data, Map.of());
    assertEquals(
        password, SecretFiles.firstLine("test", secrets.resolve("sites/roamstore.password")));
    String assignments = RoamstoreConfig.run(resolve(data), Map.of());
    assertTrue(assignments.contains("BROKER_ARGS=('--secrets' '" + secrets + "')\n"), assignments);
    assertFalse(assignments.contains(password), "the launcher's settings carry no password");
  }

  @Test
  void aSiteSpeaksMutualTlsWithStoresMadeFromItsPemFiles() throws Exception {
    Path tls = demoCertificates();
    Path data = dir.resolve("site");
    RunSettings run = site(data, tls);
    assertEquals("required", run.broker().tls());
    BrokerLogin login = run.broker().prepare(Files.createDirectories(data.resolve("runtime")));
    assertEquals("portland", login.user());

    Properties broker = properties(data.resolve("runtime/broker-tls.properties"));
    KeyStore keys =
        open(broker.getProperty("keyStorePath"), broker.getProperty("keyStorePassword"));
    assertTrue(keys.isKeyEntry("site"));
    assertEquals(2, keys.getCertificateChain("site").length, "the site's certificate and its CA");
    KeyStore trust =
        open(broker.getProperty("trustStorePath"), broker.getProperty("trustStorePassword"));
    assertEquals(1, trust.size());
    assertEquals("rw-------", permissions(Path.of(broker.getProperty("keyStorePath"))));

    Properties client = properties(data.resolve("runtime/broker-client.properties"));
    assertEquals("true", client.getProperty("sslEnabled"));
    assertEquals("true", client.getProperty("verifyHost"));
    assertEquals(broker.getProperty("keyStorePath"), client.getProperty("keyStorePath"));
    Properties system = login.systemProperties();
    assertEquals(
        broker.getProperty("trustStorePath"),
        system.getProperty("org.apache.activemq.ssl.trustStore"));
    assertTrue(
        login
            .connectionParameters("10.20.0.5", 61617)
            .startsWith("host=10.20.0.5;port=61617;sslEnabled=true;verifyHost=true;"));
    assertEquals(
        List.of(
            "--secrets",
            data.resolve("secrets").toString(),
            "--tls",
            data.resolve("runtime/broker-tls.properties").toString()),
        run.broker().brokerArguments(data.resolve("runtime")));

    // Stores are made afresh each start, with a new password.
    run.broker().prepare(data.resolve("runtime"));
    assertNotEquals(
        broker.getProperty("keyStorePassword"),
        properties(data.resolve("runtime/broker-tls.properties")).getProperty("keyStorePassword"));
  }

  @Test
  void aSiteCertificateThatCannotLogInToPeersIsRefused() throws Exception {
    Path tls = serverOnlyCertificate();
    Path data = dir.resolve("server-only");
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> site(data, tls).broker().prepare(Files.createDirectories(data.resolve("rt"))));
    assertTrue(e.getMessage().contains("needs the extended key usage clientAuth"), e.getMessage());
  }

  @Test
  void aDatabasePasswordComesFromAnOwnerOnlyFileOrTheEnvironmentNeverAnArgument() throws Exception {
    List<String> site =
        List.of("--data", dir.resolve("db").toString(), "--jdbc-url", "jdbc:h2:mem:x");
    List<String> withPassword = new ArrayList<>(site);
    withPassword.addAll(List.of("--jdbc-password", "secret"));
    ConfigException e =
        assertThrows(ConfigException.class, () -> RunSettings.parse(DIST, withPassword, Map.of()));
    assertTrue(e.getMessage().startsWith("--jdbc-password: a password on the command line"));

    Path file = dir.resolve("jdbc.password");
    Files.writeString(file, "from-file\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    List<String> withFile = new ArrayList<>(site);
    withFile.addAll(List.of("--jdbc-password-file", file.toString()));
    e = assertThrows(ConfigException.class, () -> RunSettings.parse(DIST, withFile, Map.of()));
    assertEquals(
        "--jdbc-password-file " + file + ": others may read it; chmod 600 " + file, e.getMessage());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertEquals("from-file", RunSettings.parse(DIST, withFile, Map.of()).jdbc().password());
    assertEquals(
        "from-env",
        RunSettings.parse(DIST, site, Map.of("ROAMSTORE_JDBC_PASSWORD", "from-env"))
            .jdbc()
            .password());
  }

  @Test
  void aPasswordFileOthersMayReadStopsTheStart() throws Exception {
    Path data = dir.resolve("loose");
    render(data, Map.of());
    Path file = data.resolve("secrets/sites/roamstore.password");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    ConfigException e = assertThrows(ConfigException.class, () -> render(data, Map.of()));
    assertEquals(
        "--broker-secrets " + file + ": others may read it; chmod 600 " + file, e.getMessage());
  }

  private RunSettings site(Path data, Path tls) throws ConfigException {
    return RunSettings.parse(
        DIST,
        List.of(
            "--data",
            data.toString(),
            "--site",
            "portland",
            "--jdbc-url",
            "jdbc:postgresql://db.example:5432/roamstore",
            "--nbd-tls-dir",
            tls.toString()),
        Map.of());
  }

  private static List<String> resolve(Path data) {
    return List.of("resolve", "--dist", DIST.toString(), "--data", data.toString());
  }

  private static String render(Path data, Map<String, String> env) throws ConfigException {
    return RoamstoreConfig.run(
            List.of("render-post-boot", "--dist", DIST.toString(), "--data", data.toString()), env)
        .strip();
  }

  /** The demo CA and every site's certificate, as a first start makes them. */
  private Path demoCertificates() throws Exception {
    Path tls = dir.resolve("tls");
    DemoCertificates.ensure(tls, List.of("seattle", "portland", "sanfrancisco"), "127.0.0.1");
    return tls;
  }

  /** A self-signed certificate (its own CA) for serving only, as an older demo CA made them. */
  private Path serverOnlyCertificate() throws Exception {
    Path tls = Files.createDirectories(dir.resolve("server-only-tls/portland"));
    Path store = dir.resolve("server-only.p12");
    Keytool.ofThisJvm()
        .run(
            "test",
            "-genkeypair",
            store,
            "test-only",
            List.of(
                "-alias",
                "key",
                "-dname",
                "CN=roamstore-portland",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-validity",
                "2",
                "-ext",
                "eku=serverAuth"));
    DemoCertificates.save(
        store, "test-only", "key", tls.resolve("server-key.pem"), tls.resolve("server-cert.pem"));
    Files.copy(tls.resolve("server-cert.pem"), tls.resolve("ca-cert.pem"));
    return tls.getParent();
  }

  private static KeyStore open(String path, String password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(Path.of(path))) {
      store.load(in, password.toCharArray());
    }
    return store;
  }

  private static Properties properties(Path file) throws Exception {
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      properties.load(in);
    }
    return properties;
  }

  private static String permissions(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
