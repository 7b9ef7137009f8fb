package org.roamstore.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A CA and certificates made with openssl, as the launcher's demo CA makes them: per site one
 * certificate for serving and for logging in to peers (serverAuth and clientAuth, for localhost and
 * 127.0.0.1), and client certificates for integrating systems. A second CA signs certificates
 * nobody trusts.
 */
final class TestCertificates {
  static final String STORE_PASSWORD = "store-password";

  private final Path dir;

  TestCertificates(Path dir) throws Exception {
    this.dir = dir;
    ca("ca");
    ca("rogue-ca");
  }

  /** A site's certificate signed by the CA, and its stores; returns its TLS properties file. */
  Path site(String name) throws Exception {
    return issue(name, "ca", "serverAuth,clientAuth");
  }

  /** An integrating system's client certificate signed by {@code ca}; its TLS properties file. */
  Path client(String name, String ca) throws Exception {
    return issue(name, ca, "clientAuth");
  }

  Path pem(String name, String file) {
    return dir.resolve(name).resolve(file);
  }

  private void ca(String name) throws Exception {
    Path out = Files.createDirectories(dir.resolve(name));
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        out.resolve("key.pem").toString(),
        "-out",
        out.resolve("cert.pem").toString(),
        "-days",
        "30",
        "-subj",
        "/CN=" + name,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign");
  }

  private Path issue(String name, String ca, String usage) throws Exception {
    Path out = Files.createDirectories(dir.resolve(name));
    if (Files.exists(out.resolve("tls.properties"))) {
      return out.resolve("tls.properties");
    }
    Path ext = out.resolve("ext.cnf");
    Files.writeString(
        ext,
        "keyUsage=critical,digitalSignature\nextendedKeyUsage="
            + usage
            + "\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n");
    openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        out.resolve("key.pem").toString(),
        "-out",
        out.resolve("req.csr").toString(),
        "-subj",
        "/CN=roamstore-" + name);
    Path caDir = dir.resolve(ca);
    openssl(
        "x509",
        "-req",
        "-in",
        out.resolve("req.csr").toString(),
        "-CA",
        caDir.resolve("cert.pem").toString(),
        "-CAkey",
        caDir.resolve("key.pem").toString(),
        "-CAcreateserial",
        "-days",
        "30",
        "-extfile",
        ext.toString(),
        "-out",
        out.resolve("cert.pem").toString());
    Files.copy(dir.resolve("ca").resolve("cert.pem"), out.resolve("ca-cert.pem"));
    return stores(out);
  }

  /** PKCS12 stores of a certificate directory and the owner-only properties naming them. */
  private static Path stores(Path out) throws Exception {
    char[] password = STORE_PASSWORD.toCharArray();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry(
        "key",
        privateKey(out.resolve("key.pem")),
        password,
        new Certificate[] {certificates(out.resolve("cert.pem")).get(0)});
    Path keyStore = out.resolve("keystore.p12");
    try (OutputStream o = Files.newOutputStream(keyStore)) {
      keys.store(o, password);
    }
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", certificates(out.resolve("ca-cert.pem")).get(0));
    Path trustStore = out.resolve("truststore.p12");
    try (OutputStream o = Files.newOutputStream(trustStore)) {
      trust.store(o, password);
    }
    Path properties = out.resolve("tls.properties");
    Files.writeString(
        properties,
        "keyStorePath="
            + keyStore
            + "\nkeyStorePassword="
            + STORE_PASSWORD
            + "\ntrustStorePath="
            + trustStore
            + "\ntrustStorePassword="
            + STORE_PASSWORD
            + "\n");
    Files.setPosixFilePermissions(properties, PosixFilePermissions.fromString("rw-------"));
    return properties;
  }

  private static PrivateKey privateKey(Path pem) throws Exception {
    String base64 =
        Files.readString(pem)
            .replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    return KeyFactory.getInstance("EC")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
  }

  private static List<Certificate> certificates(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
    }
  }

  private void openssl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("openssl " + String.join(" ", args) + " failed: " + output);
    }
  }
}
