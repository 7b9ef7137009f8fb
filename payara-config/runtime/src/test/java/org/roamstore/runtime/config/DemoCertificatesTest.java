package org.roamstore.runtime.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo CA and its certificates as a first start makes them with the JDK's keytool: what qemu,
 * libnbd, the brokers and the gateway need of them, owner-only keys, and a second start that keeps
 * them. One set is made for the read-only checks (keytool takes about a second a call).
 */
class DemoCertificatesTest {
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

  @TempDir static Path shared;
  private static Path made;
  private static List<String> madeFirst;

  @TempDir Path dir;

  @BeforeAll
  static void makeOnce() throws Exception {
    made = shared.resolve("tls");
    madeFirst = DemoCertificates.ensure(made, List.of("seattle", "portland"), "10.1.2.3");
  }

  @Test
  void theCaSignsEachSiteAndTheClient() throws Exception {
    assertEquals(List.of("ca", "seattle", "portland", "client"), madeFirst);
    X509Certificate ca = certificate(made.resolve("ca/ca-cert.pem"));
    assertEquals("CN=Roamstore demo CA", ca.getSubjectX500Principal().getName());
    ca.verify(ca.getPublicKey());
    assertTrue(ca.getBasicConstraints() >= 0, "a CA");
    assertTrue(ca.getKeyUsage()[5] && ca.getKeyUsage()[6], "keyCertSign and cRLSign");
    assertTrue(ca.getCriticalExtensionOIDs().containsAll(Set.of("2.5.29.19", "2.5.29.15")));
    assertEquals(
        256, ((ECPublicKey) ca.getPublicKey()).getParams().getCurve().getField().getFieldSize());
    assertArrayEquals(
        Files.readAllBytes(made.resolve("ca/ca-cert.pem")),
        Files.readAllBytes(made.resolve("client/ca-cert.pem")),
        "clients trust the same CA");
    for (String entity : List.of("seattle", "portland", "client")) {
      X509Certificate certificate = certificate(DemoCertificates.certificate(made, entity));
      validate(certificate, ca);
      assertEquals("CN=roamstore-" + entity, certificate.getSubjectX500Principal().getName());
      assertEquals(-1, certificate.getBasicConstraints(), "not a CA");
      assertTrue(certificate.getKeyUsage()[0], "digitalSignature");
      assertTrue(certificate.getCriticalExtensionOIDs().contains("2.5.29.15"));
      Duration validity =
          Duration.between(
              certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant());
      assertEquals(DemoCertificates.DAYS, validity.toDays());
      keyMatches(DemoCertificates.key(made, entity), certificate);
    }
  }

  @Test
  void sitesServeTheirHostAndLogInToOtherBrokers() throws Exception {
    X509Certificate seattle = certificate(made.resolve("seattle/server-cert.pem"));
    assertEquals(List.of(SERVER_AUTH, PemStores.CLIENT_AUTH), seattle.getExtendedKeyUsage());
    List<List<?>> names = new ArrayList<>();
    for (List<?> name : seattle.getSubjectAlternativeNames()) {
      names.add(name);
    }
    assertEquals(
        List.of(List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(7, "10.1.2.3")), names);

    X509Certificate client = certificate(made.resolve("client/client-cert.pem"));
    assertEquals(List.of(PemStores.CLIENT_AUTH), client.getExtendedKeyUsage());
    assertNull(client.getSubjectAlternativeNames());
  }

  @Test
  void keysAreOwnerOnlyAndNothingPassingIsLeft() throws Exception {
    assertEquals("rwx------", permissions(made.resolve("ca")));
    for (String key : List.of("ca/ca-key.pem", "seattle/server-key.pem", "client/client-key.pem")) {
      assertEquals("rw-------", permissions(made.resolve(key)), key);
      assertTrue(Files.readString(made.resolve(key)).startsWith("-----BEGIN PRIVATE KEY-----\n"));
      // GnuTLS (qemu, libnbd) wants the public key inside: RFC 5915's [1], openssl's form.
      byte[] der = pkcs8(made.resolve(key));
      byte[] point =
          ((ECPublicKey) certificate(made.resolve(key.replace("-key", "-cert"))).getPublicKey())
              .getEncoded();
      assertEquals(138, der.length, key);
      assertArrayEquals(
          Arrays.copyOfRange(point, point.length - 65, point.length),
          Arrays.copyOfRange(der, der.length - 65, der.length),
          key);
    }
    for (String cert : List.of("ca/ca-cert.pem", "seattle/server-cert.pem", "client/ca-cert.pem")) {
      assertEquals("rw-r--r--", permissions(made.resolve(cert)), cert);
    }
    try (Stream<Path> ca = Files.list(made.resolve("ca"))) {
      assertEquals(
          List.of("ca-cert.pem", "ca-key.pem"),
          ca.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  /**
   * qemu's GnuTLS loads the client's files and a site's (as a server) when it makes its TLS
   * credentials, before it uses them: then the client's connection to a closed port fails, and the
   * server's credentials are refused for a client's use, not for their files.
   */
  @Test
  void qemuLoadsTheClientsAndASitesFiles() throws Exception {
    Path server = Files.createDirectories(dir.resolve("server"));
    for (String file : List.of("server-cert.pem", "server-key.pem")) {
      Files.copy(made.resolve("seattle").resolve(file), server.resolve(file));
    }
    Files.copy(made.resolve("ca/ca-cert.pem"), server.resolve("ca-cert.pem"));
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    for (List<String> credentials :
        List.of(
            List.of(made.resolve("client").toString(), "client"), List.of("" + server, "server"))) {
      Process qemu =
          new ProcessBuilder(
                  "qemu-img",
                  "info",
                  "--object",
                  "tls-creds-x509,id=tls0,dir="
                      + credentials.get(0)
                      + ",endpoint="
                      + credentials.get(1),
                  "--image-opts",
                  "driver=nbd,host=127.0.0.1,port=" + closedPort + ",export=x,tls-creds=tls0")
              .redirectErrorStream(true)
              .start();
      String output = new String(qemu.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(qemu.waitFor(30, TimeUnit.SECONDS));
      assertFalse(output.contains("Cannot load"), output);
      assertTrue(
          output.contains(
              credentials.get(1).equals("client")
                  ? "Connection refused"
                  : "Expected TLS credentials for a client endpoint"),
          output);
    }
  }

  @Test
  void aSecondStartKeepsWhatFitsAndAddsANewSite() throws Exception {
    Path tls = copy(made);
    byte[] seattle = Files.readAllBytes(tls.resolve("seattle/server-cert.pem"));
    byte[] seattleKey = Files.readAllBytes(tls.resolve("seattle/server-key.pem"));
    byte[] client = Files.readAllBytes(tls.resolve("client/client-cert.pem"));

    assertEquals(
        List.of("sanfrancisco"),
        DemoCertificates.ensure(tls, List.of("seattle", "portland", "sanfrancisco"), "10.1.2.3"));
    assertArrayEquals(seattle, Files.readAllBytes(tls.resolve("seattle/server-cert.pem")));
    assertArrayEquals(seattleKey, Files.readAllBytes(tls.resolve("seattle/server-key.pem")));
    assertArrayEquals(client, Files.readAllBytes(tls.resolve("client/client-cert.pem")));
    validate(
        certificate(tls.resolve("sanfrancisco/server-cert.pem")),
        certificate(tls.resolve("ca/ca-cert.pem")));
    assertEquals(List.of(), DemoCertificates.ensure(tls, List.of("seattle"), "10.1.2.3"));
  }

  @Test
  void aMissingKeyOrCaIsMadeAnewWithWhatDependsOnIt() throws Exception {
    Path tls = copy(made);
    Files.delete(tls.resolve("portland/server-key.pem"));
    assertEquals(
        List.of("portland"),
        DemoCertificates.ensure(tls, List.of("seattle", "portland"), "10.1.2.3"));
    keyMatches(
        tls.resolve("portland/server-key.pem"),
        certificate(tls.resolve("portland/server-cert.pem")));

    // A new CA: no certificate of the old one is kept.
    Files.delete(tls.resolve("ca/ca-key.pem"));
    assertEquals(
        List.of("ca", "seattle", "client"), DemoCertificates.ensure(tls, List.of("seattle"), null));
    X509Certificate ca = certificate(tls.resolve("ca/ca-cert.pem"));
    validate(certificate(tls.resolve("seattle/server-cert.pem")), ca);
    validate(certificate(tls.resolve("client/client-cert.pem")), ca);
    assertArrayEquals(
        Files.readAllBytes(tls.resolve("ca/ca-cert.pem")),
        Files.readAllBytes(tls.resolve("client/ca-cert.pem")));
  }

  @Test
  void theGatewaysKeystoreIsMadeOfASitesFilesUnderAFreshPassword() throws Exception {
    Path store = dir.resolve("runtime/gateway-keystore.p12");
    Files.createDirectories(store.getParent());
    GatewayKeystore first = GatewayKeystore.fromPem(made, "portland", store);
    assertEquals("rw-------", permissions(store));
    assertEquals(GatewayKeystore.MADE_ALIAS, first.alias());
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, first.password().toCharArray());
    }
    Certificate[] chain = keys.getCertificateChain(GatewayKeystore.MADE_ALIAS);
    assertEquals(certificate(made.resolve("portland/server-cert.pem")), chain[0]);
    assertEquals(certificate(made.resolve("ca/ca-cert.pem")), chain[1]);
    assertEquals(
        GatewayKeystore.operators(
                store, null, Map.of("ROAMSTORE_HTTPS_KEYSTORE_PASSWORD", first.password()))
            .alias(),
        GatewayKeystore.MADE_ALIAS);
    assertFalse(
        first.password().equals(GatewayKeystore.fromPem(made, "portland", store).password()),
        "a fresh password each start");

    ConfigException e =
        assertThrows(ConfigException.class, () -> GatewayKeystore.fromPem(dir, "portland", store));
    assertEquals(
        "--nbd-tls-dir "
            + dir
            + ": no server-cert.pem and server-key.pem for the gateway; give them, or"
            + " --https-keystore",
        e.getMessage());
  }

  @Test
  void aDirectoryThatCannotBeMadeIsNamed() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> DemoCertificates.ensure(file.resolve("tls"), List.of("seattle"), null));
    assertTrue(
        e.getMessage().startsWith("cannot make the demo certificates in " + file.resolve("tls")),
        e.getMessage());
  }

  @Test
  void aHostThatIsNoNameIsRefused() throws Exception {
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> DemoCertificates.subjectAltNames("a,dns:evil.example"));
    assertEquals("--host a,dns:evil.example: not a host name or IP address", e.getMessage());
    assertEquals("dns:localhost,ip:127.0.0.1", DemoCertificates.subjectAltNames("localhost"));
    assertEquals(
        "dns:localhost,ip:127.0.0.1,dns:db.example",
        DemoCertificates.subjectAltNames("db.example"));
    assertEquals(
        "dns:localhost,ip:127.0.0.1,ip:fd00::1", DemoCertificates.subjectAltNames("fd00::1"));
  }

  @Test
  void aSiteCalledLikeTheCaOrClientFolderIsRefused() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> DemoCertificates.ensure(dir.resolve("tls"), List.of("seattle", "client"), null));
    assertEquals(
        "storage system 'client': the demo certificates keep their CA and client in folders of"
            + " that name; rename it, or give --nbd-tls-dir",
        e.getMessage());
    assertFalse(Files.exists(dir.resolve("tls")), "nothing made");
  }

  @Test
  void aJdkWithoutKeytoolIsNamed() {
    Path jdk = dir.resolve("jre");
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                new DemoCertificates(dir.resolve("tls"), new Keytool(jdk))
                    .ensure(List.of("seattle"), null));
    assertEquals(
        "the demo CA in "
            + dir.resolve("tls/ca")
            + ": the JDK's keytool is missing ("
            + jdk.resolve("bin/keytool")
            + "); a full JDK or JRE has it",
        e.getMessage());
  }

  /** A stand-in keytool that records what it was given, to see where the password travels. */
  @Test
  void thePasswordTravelsInTheEnvironmentNotTheArguments() throws Exception {
    Path jdk = dir.resolve("jdk");
    Path bin = Files.createDirectories(jdk.resolve("bin"));
    Path seen = dir.resolve("seen");
    Files.writeString(
        bin.resolve("keytool"),
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > "
            + seen
            + "\nprintf 'env=%s\\n' \"$"
            + Keytool.PASSWORD_VARIABLE
            + "\" >> "
            + seen
            + "\necho 'keytool error: bad'\nexit 1\n",
        StandardCharsets.US_ASCII);
    Files.setPosixFilePermissions(
        bin.resolve("keytool"), PosixFilePermissions.fromString("rwx------"));
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                new Keytool(jdk)
                    .run("the test", "-list", dir.resolve("s.p12"), "pw-123", List.of("-v")));
    assertEquals("the test: keytool -list failed (status 1): keytool error: bad", e.getMessage());
    List<String> lines = Files.readAllLines(seen);
    assertEquals("env=pw-123", lines.get(lines.size() - 1));
    assertFalse(lines.subList(0, lines.size() - 1).stream().anyMatch(a -> a.contains("pw-123")));
    assertTrue(lines.contains("-storepass:env"));
  }

  private static X509Certificate certificate(Path pem) throws Exception {
    return PemStores.certificates(pem).get(0);
  }

  /** PKIX path validation with the CA as the only trust anchor (no revocation lists here). */
  private static void validate(X509Certificate certificate, X509Certificate ca) throws Exception {
    PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
    parameters.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(
            CertificateFactory.getInstance("X.509").generateCertPath(List.of(certificate)),
            parameters);
  }

  private static void keyMatches(Path keyFile, X509Certificate certificate) throws Exception {
    PrivateKey key = PemStores.privateKey(keyFile);
    byte[] data = "roamstore".getBytes(StandardCharsets.US_ASCII);
    Signature sign = Signature.getInstance("SHA256withECDSA");
    sign.initSign(key);
    sign.update(data);
    byte[] signature = sign.sign();
    Signature verify = Signature.getInstance("SHA256withECDSA");
    verify.initVerify(certificate.getPublicKey());
    verify.update(data);
    assertTrue(verify.verify(signature), keyFile + " belongs to its certificate");
  }

  private static byte[] pkcs8(Path pem) throws Exception {
    String text = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "");
    return Base64.getMimeDecoder().decode(text);
  }

  private static String permissions(Path file) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  /** The shared set copied with its permissions, for a test that changes it. */
  private Path copy(Path from) throws Exception {
    Path to = dir.resolve("tls");
    Collection<Path> all;
    try (Stream<Path> files = Files.walk(from)) {
      all = files.toList();
    }
    for (Path p : all) {
      Files.copy(p, to.resolve(from.relativize(p).toString()), StandardCopyOption.COPY_ATTRIBUTES);
    }
    return to;
  }
}
