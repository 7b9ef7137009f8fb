package org.roamstore.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator's keystore checks, on keystores made by the JDK's keytool. */
class GatewayKeystoreTest {
  @TempDir Path dir;

  @Test
  void aKeystoreWithAKeyGivesItsAliasAndAnOwnerOnlyPropertiesFile() throws Exception {
    Path store = keytool("gw.p12", "s3cret:=x", true);
    Path passwordFile = ownerOnly("pass", "s3cret:=x\n");
    GatewayKeystore keystore = GatewayKeystore.operators(store, passwordFile, Map.of());
    assertEquals("gateway", keystore.alias());
    assertEquals("PKCS12", keystore.type());

    Path properties = dir.resolve("system.properties");
    SecretFiles.writeProperties(properties, keystore.systemProperties(), "test");
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(properties)));
    Properties read = new Properties();
    try (FileInputStream in = new FileInputStream(properties.toFile())) {
      read.load(in);
    }
    assertEquals("s3cret:=x", read.getProperty("javax.net.ssl.keyStorePassword"));
    assertEquals(store.toAbsolutePath().toString(), read.getProperty("javax.net.ssl.keyStore"));
  }

  @Test
  void aWrongPasswordIsNamed() throws Exception {
    Path store = keytool("gw.p12", "right-one", true);
    String message = error(store, null, Map.of("ROAMSTORE_HTTPS_KEYSTORE_PASSWORD", "wrong-one"));
    assertTrue(
        message.startsWith(
            "--https-keystore " + store + ": cannot open it with the password given"),
        message);
  }

  @Test
  void aKeystoreWithoutAPrivateKeyIsRefused() throws Exception {
    Path store = keytool("certs.p12", "password", false);
    String message = error(store, null, Map.of("ROAMSTORE_HTTPS_KEYSTORE_PASSWORD", "password"));
    assertTrue(
        message.endsWith("holds no private key (the gateway's key and certificate)"), message);
  }

  @Test
  void aPasswordFileOthersMayReadIsRefused() throws Exception {
    Path store = keytool("gw.p12", "password", true);
    Path file = Files.writeString(dir.resolve("pass"), "password\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertTrue(error(store, file, Map.of()).endsWith("others may read it; chmod 600 " + file));
  }

  @Test
  void noPasswordAtAllIsRefused() throws Exception {
    Path store = keytool("gw.p12", "password", true);
    assertTrue(error(store, null, Map.of()).startsWith("--https-keystore needs its password"));
    assertTrue(
        error(dir.resolve("none.p12"), null, Map.of()).endsWith("none.p12: not a readable file"));
  }

  private String error(Path store, Path passwordFile, Map<String, String> env) {
    return assertThrows(
            ConfigException.class, () -> GatewayKeystore.operators(store, passwordFile, env))
        .getMessage();
  }

  private Path ownerOnly(String name, String text) throws Exception {
    Path file = Files.writeString(dir.resolve(name), text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  /** A keystore with a key pair (alias gateway), or with a trusted certificate only. */
  private Path keytool(String name, String password, boolean withKey) throws Exception {
    Path keys = dir.resolve("keys-" + name);
    run(
        "-genkeypair",
        "-alias",
        "gateway",
        "-keyalg",
        "EC",
        "-dname",
        "CN=test",
        "-keystore",
        keys.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        password);
    if (withKey) {
      return keys;
    }
    Path cert = dir.resolve("cert.pem");
    run(
        "-exportcert",
        "-rfc",
        "-alias",
        "gateway",
        "-keystore",
        keys.toString(),
        "-storepass",
        password,
        "-file",
        cert.toString());
    Path store = dir.resolve(name);
    run(
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        cert.toString(),
        "-keystore",
        store.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        password);
    return store;
  }

  private static void run(String... args) throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    String[] command = new String[args.length + 1];
    command[0] = keytool;
    System.arraycopy(args, 0, command, 1, args.length);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool finishes");
    assertEquals(0, p.exitValue(), out);
  }
}
