package org.roamstore.storage.nbd;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * A test CA with a server certificate for 127.0.0.1 and a client certificate, made with openssl (EC
 * P-256, quick to generate), laid out in the directories the servers and clients read:
 *
 * <ul>
 *   <li>{@link #server}: server-cert.pem, server-key.pem (TLS without client certificates);
 *   <li>{@link #serverVerifyingClients}: the same plus client-ca-cert.pem;
 *   <li>{@link #client}: ca-cert.pem, client-cert.pem, client-key.pem (qemu's and libnbd's layout);
 *   <li>{@link #anonymousClient}: ca-cert.pem only;
 *   <li>{@link #strangerClient}: ca-cert.pem and a client certificate of another CA;
 *   <li>{@link #expiredClient}: ca-cert.pem and a client certificate of the test CA that expired in
 *       2020 ({@code openssl ca}, the one openssl command that backdates a certificate).
 * </ul>
 */
final class TestPki {
  static final String OPENSSL = "/usr/bin/openssl";
  private static final String PASSWORD = "test-only";
  private static final String CLIENT_EXTENSIONS =
      "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n";

  final Path server;
  final Path serverVerifyingClients;
  final Path client;
  final Path anonymousClient;
  final Path strangerClient;
  final Path expiredClient;
  private final Path work;

  private TestPki(Path root) {
    this.work = root.resolve("ca");
    this.server = root.resolve("server");
    this.serverVerifyingClients = root.resolve("server-verifying-clients");
    this.client = root.resolve("client");
    this.anonymousClient = root.resolve("anonymous-client");
    this.strangerClient = root.resolve("stranger-client");
    this.expiredClient = root.resolve("expired-client");
  }

  /** Generates everything under {@code root} (a test directory below target/). */
  static TestPki create(Path root) throws Exception {
    ClientProcess.requireTool(OPENSSL, "openssl");
    TestPki pki = new TestPki(root);
    for (Path d :
        new Path[] {
          pki.work,
          pki.server,
          pki.serverVerifyingClients,
          pki.client,
          pki.anonymousClient,
          pki.strangerClient,
          pki.expiredClient,
          pki.work.resolve("stranger")
        }) {
      Files.createDirectories(d);
    }
    pki.generate();
    return pki;
  }

  private void generate() throws Exception {
    Path ca = work.resolve("ca-cert.pem");
    makeCa(work, "/CN=Roamstore test CA");
    issue(
        "server",
        "/CN=localhost",
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
            + "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n");
    issue("client", "/CN=roamstore-test-client", CLIENT_EXTENSIONS);

    copy(work.resolve("server-cert.pem"), server, serverVerifyingClients);
    copy(work.resolve("server-key.pem"), server, serverVerifyingClients);
    Files.copy(ca, serverVerifyingClients.resolve(NbdTls.CLIENT_CA));
    copy(ca, client, anonymousClient, strangerClient, expiredClient);
    copy(work.resolve("client-cert.pem"), client);
    copy(work.resolve("client-key.pem"), client);
    pkcs12(
        work.resolve("client-cert.pem"),
        work.resolve("client-key.pem"),
        work.resolve("client.p12"));

    // The same kind of client certificate from a CA the server does not know.
    Path stranger = work.resolve("stranger");
    makeCa(stranger, "/CN=Somebody else's CA");
    request(stranger, "client", "/CN=roamstore-test-client", CLIENT_EXTENSIONS);
    sign(stranger, "client");
    copyAs(stranger.resolve("client-cert.pem"), strangerClient.resolve("client-cert.pem"));
    copyAs(stranger.resolve("client-key.pem"), strangerClient.resolve("client-key.pem"));

    // The test CA's own client certificate, valid for one day in 2020.
    request(work, "expired", "/CN=roamstore-test-client", CLIENT_EXTENSIONS);
    Files.writeString(work.resolve("index.txt"), "");
    Files.writeString(
        work.resolve("ca.cnf"),
        "[ca]\ndefault_ca = test\n[test]\ndefault_md = sha256\npolicy = any\n"
            + ("database = " + work.resolve("index.txt") + "\n")
            + ("new_certs_dir = " + work + "\n")
            + ("serial = " + work.resolve("expired.srl") + "\n")
            + "[any]\ncommonName = supplied\n");
    Files.writeString(work.resolve("expired.srl"), "1000\n");
    openssl(
        "ca",
        "-batch",
        "-notext",
        "-config",
        work.resolve("ca.cnf").toString(),
        "-cert",
        ca.toString(),
        "-keyfile",
        work.resolve("ca-key.pem").toString(),
        "-in",
        work.resolve("expired.csr").toString(),
        "-extfile",
        work.resolve("expired.ext").toString(),
        "-startdate",
        "20200101000000Z",
        "-enddate",
        "20200102000000Z",
        "-out",
        expiredClient.resolve("client-cert.pem").toString());
    copyAs(work.resolve("expired-key.pem"), expiredClient.resolve("client-key.pem"));
    for (Path d : new Path[] {strangerClient, expiredClient}) {
      pkcs12(d.resolve("client-cert.pem"), d.resolve("client-key.pem"), d.resolve("client.p12"));
    }
  }

  private void pkcs12(Path certificate, Path key, Path out) throws Exception {
    openssl(
        "pkcs12",
        "-export",
        "-in",
        certificate.toString(),
        "-inkey",
        key.toString(),
        "-out",
        out.toString(),
        "-passout",
        "pass:" + PASSWORD);
  }

  /** A self-signed CA certificate and key in {@code dir}: ca-cert.pem, ca-key.pem. */
  private void makeCa(Path dir, String subject) throws Exception {
    Path ca = dir.resolve("ca-cert.pem");
    Path caKey = dir.resolve("ca-key.pem");
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        caKey.toString(),
        "-out",
        ca.toString(),
        "-days",
        "2",
        "-subj",
        subject,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign");
  }

  private void issue(String name, String subject, String extensions) throws Exception {
    request(work, name, subject, extensions);
    sign(work, name);
  }

  /** A key and a certificate request in {@code dir}, and the extensions file to sign it with. */
  private void request(Path dir, String name, String subject, String extensions) throws Exception {
    Files.writeString(dir.resolve(name + ".ext"), extensions);
    openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        dir.resolve(name + "-key.pem").toString(),
        "-out",
        dir.resolve(name + ".csr").toString(),
        "-subj",
        subject);
  }

  /** Signs {@code name}'s request with the CA in {@code dir}, valid from now for two days. */
  private void sign(Path dir, String name) throws Exception {
    openssl(
        "x509",
        "-req",
        "-in",
        dir.resolve(name + ".csr").toString(),
        "-CA",
        dir.resolve("ca-cert.pem").toString(),
        "-CAkey",
        dir.resolve("ca-key.pem").toString(),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        dir.resolve(name + ".ext").toString(),
        "-out",
        dir.resolve(name + "-cert.pem").toString());
  }

  private void openssl(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = OPENSSL;
    System.arraycopy(args, 0, command, 1, args.length);
    ClientProcess.run(work, command);
  }

  private static void copyAs(Path file, Path target) throws IOException {
    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
  }

  /** Copies a file into directories, owner-only, as a private key must be. */
  private static void copy(Path file, Path... into) throws IOException {
    for (Path d : into) {
      Path target = d.resolve(file.getFileName());
      Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
      Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
    }
  }

  /**
   * A JSSE client context trusting the test CA that presents the client certificate in {@code
   * clientDir} (its client.p12) whatever CAs the server asks for, as real clients do not: the
   * server's own check of a stranger's certificate is what is tested then.
   */
  SSLContext clientContextInsisting(Path clientDir) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(clientDir.resolve("client.p12"))) {
      keys.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory km = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    km.init(keys, PASSWORD.toCharArray());
    X509KeyManager chosen = (X509KeyManager) km.getKeyManagers()[0];
    String alias = keys.aliases().nextElement();
    X509ExtendedKeyManager insisting =
        new X509ExtendedKeyManager() {
          @Override
          public String chooseEngineClientAlias(
              String[] keyType, Principal[] issuers, SSLEngine engine) {
            return alias;
          }

          @Override
          public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return alias;
          }

          @Override
          public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {alias};
          }

          @Override
          public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
          }

          @Override
          public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
          }

          @Override
          public X509Certificate[] getCertificateChain(String a) {
            return chosen.getCertificateChain(a);
          }

          @Override
          public PrivateKey getPrivateKey(String a) {
            return chosen.getPrivateKey(a);
          }
        };
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(new KeyManager[] {insisting}, trustingTheTestCa().getTrustManagers(), null);
    return context;
  }

  private TrustManagerFactory trustingTheTestCa() throws Exception {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    try (InputStream in = Files.newInputStream(work.resolve("ca-cert.pem"))) {
      Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
      trusted.setCertificateEntry("ca", ca);
    }
    TrustManagerFactory tm =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tm.init(trusted);
    return tm;
  }

  /** A JSSE client context trusting the test CA, with the client certificate if asked. */
  SSLContext clientContext(boolean withCertificate) throws Exception {
    TrustManagerFactory tm = trustingTheTestCa();
    KeyManagerFactory km = null;
    if (withCertificate) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(work.resolve("client.p12"))) {
        keys.load(in, PASSWORD.toCharArray());
      }
      km = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      km.init(keys, PASSWORD.toCharArray());
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(km == null ? null : km.getKeyManagers(), tm.getTrustManagers(), null);
    return context;
  }
}
