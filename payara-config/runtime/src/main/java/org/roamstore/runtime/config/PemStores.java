package org.roamstore.runtime.config;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * PKCS12 stores made from the PEM files operators and the demo CA keep (a certificate, its
 * unencrypted PKCS#8 key, the CA's certificate), for Java clients and servers that read only
 * stores: the site's broker and its bridges, and the Artemis clients of its server.
 */
final class PemStores {
  /** The extended key usage a certificate needs to log in to a TLS server. */
  static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  private PemStores() {}

  static List<X509Certificate> certificates(Path pem) throws ConfigException {
    try (InputStream in = Files.newInputStream(pem)) {
      List<X509Certificate> certificates = new ArrayList<>();
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        certificates.add((X509Certificate) c);
      }
      if (certificates.isEmpty()) {
        throw new ConfigException(pem + ": no certificate in it");
      }
      return certificates;
    } catch (IOException | CertificateException e) {
      throw new ConfigException(pem + ": not a PEM certificate (" + e.getMessage() + ")", e);
    }
  }

  /** An unencrypted PKCS#8 key ("BEGIN PRIVATE KEY"), EC or RSA. */
  static PrivateKey privateKey(Path pem) throws ConfigException {
    String text;
    try {
      text = Files.readString(pem, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new ConfigException(pem + ": cannot read it: " + e.getMessage(), e);
    }
    String begin = "-----BEGIN PRIVATE KEY-----";
    int from = text.indexOf(begin);
    int to = text.indexOf("-----END PRIVATE KEY-----");
    if (from < 0 || to < from) {
      throw new ConfigException(
          pem
              + ": no unencrypted PKCS#8 key (BEGIN PRIVATE KEY); convert it with openssl pkcs8"
              + " -topk8 -nocrypt");
    }
    byte[] der = Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to).strip());
    for (String algorithm : List.of("EC", "RSA")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // the next algorithm
      }
    }
    throw new ConfigException(pem + ": neither an EC nor an RSA key");
  }

  /**
   * Where a site's server-cert.pem and server-key.pem are: {@code root/site}, or {@code root}
   * itself when the site has no folder of its own.
   */
  static Path siteDirectory(Path root, String site) {
    Path own = root.resolve(site);
    return Files.isRegularFile(own.resolve("server-cert.pem")) ? own : root;
  }

  /** Whether a directory holds a server's certificate and key. */
  static boolean hasServerFiles(Path dir) {
    return Files.isRegularFile(dir.resolve("server-cert.pem"))
        && Files.isRegularFile(dir.resolve("server-key.pem"));
  }

  /**
   * PEM text of DER bytes under {@code label} ("CERTIFICATE", or "PRIVATE KEY" for PKCS#8), in
   * 64-character lines as RFC 7468 asks (GnuTLS, and so qemu, reads it).
   */
  static String encode(String label, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
  }

  /** Whether a certificate may log in to a TLS server (no extended key usage: any use). */
  static boolean clientAuth(X509Certificate certificate) throws ConfigException {
    try {
      List<String> usages = certificate.getExtendedKeyUsage();
      return usages == null || usages.contains(CLIENT_AUTH);
    } catch (CertificateException e) {
      throw new ConfigException("unreadable extended key usage: " + e.getMessage(), e);
    }
  }

  /** A PKCS12 key store of one key (alias {@code site}) and its certificate chain, owner-only. */
  static void keyStore(Path target, PrivateKey key, List<X509Certificate> chain, String password)
      throws ConfigException {
    keyStore(target, key, chain, password, "site");
  }

  /** A PKCS12 key store of one key under {@code alias} and its certificate chain, owner-only. */
  static void keyStore(
      Path target, PrivateKey key, List<X509Certificate> chain, String password, String alias)
      throws ConfigException {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(alias, key, password.toCharArray(), chain.toArray(new Certificate[0]));
      write(target, store, password);
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException("cannot make the key store " + target + ": " + e, e);
    }
  }

  /** A PKCS12 trust store of the CA's certificates, owner-only. */
  static void trustStore(Path target, List<X509Certificate> cas, String password)
      throws ConfigException {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        store.setCertificateEntry("ca-" + i, cas.get(i));
      }
      write(target, store, password);
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException("cannot make the trust store " + target + ": " + e, e);
    }
  }

  private static void write(Path target, KeyStore store, String password)
      throws IOException, GeneralSecurityException, ConfigException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    store.store(out, password.toCharArray());
    SecretFiles.write(target, out.toByteArray());
  }
}
