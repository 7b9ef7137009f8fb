package org.roamstore.storage.nbd;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A test CA with a server certificate for 127.0.0.1 and a client certificate, made with openssl (EC
 * P-256, quick to generate), laid out in the directories the servers and clients read:
 *
 * <ul>
 *   <li>{@link #server}: server-cert.pem, server-key.pem (TLS without client certificates);
 *   <li>{@link #serverVerifyingClients}: the same plus client-ca-cert.pem;
 *   <li>{@link #client}: ca-cert.pem, client-cert.pem, client-key.pem (qemu's and libnbd's layout);
 *   <li>{@link #anonymousClient}: ca-cert.pem only.
 * </ul>
 */
final class TestPki {
  static final String OPENSSL = "/usr/bin/openssl";
  private static final String PASSWORD = "test-only";

  final Path server;
  final Path serverVerifyingClients;
  final Path client;
  final Path anonymousClient;
  private final Path work;

  private TestPki(Path root) {
    this.work = root.resolve("ca");
    this.server = root.resolve("server");
    this.serverVerifyingClients = root.resolve("server-verifying-clients");
    this.client = root.resolve("client");
    this.anonymousClient = root.resolve("anonymous-client");
  }

  /** Generates everything under {@code root} (a test directory below target/). */
  static TestPki create(Path root) throws Exception {
    ClientProcess.requireTool(OPENSSL, "openssl");
    TestPki pki = new TestPki(root);
    for (Path d :
        new Path[] {
          pki.work, pki.server, pki.serverVerifyingClients, pki.client, pki.anonymousClient
        }) {
      Files.createDirectories(d);
    }
    pki.generate();
    return pki;
  }

  private void generate() throws Exception {
    Path ca = work.resolve("ca-cert.pem");
    Path caKey = work.resolve("ca-key.pem");
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
        "/CN=Roamstore test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign");
    issue(
        "server",
        "/CN=localhost",
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
            + "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n");
    issue(
        "client",
        "/CN=roamstore-test-client",
        "extendedKeyUsage=clientAuth\n" + "keyUsage=critical,digitalSignature\n");

    copy(work.resolve("server-cert.pem"), server, serverVerifyingClients);
    copy(work.resolve("server-key.pem"), server, serverVerifyingClients);
    Files.copy(ca, serverVerifyingClients.resolve(NbdTls.CLIENT_CA));
    copy(ca, client, anonymousClient);
    copy(work.resolve("client-cert.pem"), client);
    copy(work.resolve("client-key.pem"), client);
    openssl(
        "pkcs12",
        "-export",
        "-in",
        work.resolve("client-cert.pem").toString(),
        "-inkey",
        work.resolve("client-key.pem").toString(),
        "-out",
        work.resolve("client.p12").toString(),
        "-passout",
        "pass:" + PASSWORD);
  }

  private void issue(String name, String subject, String extensions) throws Exception {
    Path key = work.resolve(name + "-key.pem");
    Path request = work.resolve(name + ".csr");
    Path ext = work.resolve(name + ".ext");
    Files.writeString(ext, extensions);
    openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        key.toString(),
        "-out",
        request.toString(),
        "-subj",
        subject);
    openssl(
        "x509",
        "-req",
        "-in",
        request.toString(),
        "-CA",
        work.resolve("ca-cert.pem").toString(),
        "-CAkey",
        work.resolve("ca-key.pem").toString(),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        ext.toString(),
        "-out",
        work.resolve(name + "-cert.pem").toString());
  }

  private void openssl(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = OPENSSL;
    System.arraycopy(args, 0, command, 1, args.length);
    ClientProcess.run(work, command);
  }

  /** Copies a file into directories, owner-only, as a private key must be. */
  private static void copy(Path file, Path... into) throws IOException {
    for (Path d : into) {
      Path target = d.resolve(file.getFileName());
      Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
      Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
    }
  }

  /** A JSSE client context trusting the test CA, with the client certificate if asked. */
  SSLContext clientContext(boolean withCertificate) throws Exception {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    try (InputStream in = Files.newInputStream(work.resolve("ca-cert.pem"))) {
      Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
      trusted.setCertificateEntry("ca", ca);
    }
    TrustManagerFactory tm =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tm.init(trusted);
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
