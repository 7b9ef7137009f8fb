package org.roamstore.storage.nbd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.roamstore.storage.api.NbdTlsMode;

/**
 * The NBD server's TLS mode and X.509 credentials, read once from a directory laid out like
 * qemu-nbd's {@code tls-creds-x509} server directory:
 *
 * <ul>
 *   <li>{@value #SERVER_CERT}: the server's certificate, then any intermediate CA certificates
 *       (PEM);
 *   <li>{@value #SERVER_KEY}: its private key, PKCS#8 ({@code BEGIN PRIVATE KEY}) or PKCS#1 RSA
 *       ({@code BEGIN RSA PRIVATE KEY}), unencrypted, readable by its owner only;
 *   <li>{@value #CLIENT_CA}, optional: the CA certificates that sign client certificates. When it
 *       is there every client must present a certificate that chains to one of them.
 * </ul>
 *
 * <p>The client CA has a name of its own, not qemu's {@code ca-cert.pem}, so that the CA copied
 * beside the server's files for clients to fetch does not silently start demanding certificates.
 * TLS 1.2 and 1.3 only, with the JDK's default cipher suites for them.
 */
public final class NbdTls {
  public static final String SERVER_CERT = "server-cert.pem";
  public static final String SERVER_KEY = "server-key.pem";
  public static final String CLIENT_CA = "client-ca-cert.pem";
  private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
  private static final NbdTls OFF = new NbdTls(NbdTlsMode.OFF, null, false);

  private final NbdTlsMode mode;
  private final SSLContext context;
  private final boolean clientCertificates;
  private final String[] protocols;

  private NbdTls(NbdTlsMode mode, SSLContext context, boolean clientCertificates) {
    this.mode = mode;
    this.context = context;
    this.clientCertificates = clientCertificates;
    this.protocols =
        context == null
            ? new String[0]
            : PROTOCOLS.stream()
                .filter(Set.of(context.getSupportedSSLParameters().getProtocols())::contains)
                .toArray(String[]::new);
  }

  /** No TLS. */
  public static NbdTls off() {
    return OFF;
  }

  /**
   * Reads the credentials in {@code directory} for {@code mode}; {@link #off()} for OFF. Fails with
   * a message naming the file when one is missing, unreadable, too open or not what it should be.
   */
  public static NbdTls load(NbdTlsMode mode, Path directory) throws IOException {
    if (mode == null || mode == NbdTlsMode.OFF) {
      return OFF;
    }
    if (directory == null) {
      throw new IOException("NBD TLS is " + mode.text() + " but no TLS directory is configured");
    }
    try {
      List<X509Certificate> chain = certificates(directory.resolve(SERVER_CERT));
      PrivateKey key = privateKey(directory.resolve(SERVER_KEY), chain.get(0));
      // The key store lives in memory only; its password protects nothing, so it is random.
      char[] password = new char[16];
      SecureRandom random = new SecureRandom();
      for (int i = 0; i < password.length; i++) {
        password[i] = (char) ('a' + random.nextInt(26));
      }
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("server", key, password, chain.toArray(new Certificate[0]));
      KeyManagerFactory km = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      km.init(keys, password);
      Arrays.fill(password, '\0');

      TrustManagerFactory tm = null;
      Path clientCa = directory.resolve(CLIENT_CA);
      if (Files.exists(clientCa)) {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        int i = 0;
        for (X509Certificate ca : certificates(clientCa)) {
          trusted.setCertificateEntry("client-ca-" + i++, ca);
        }
        tm = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tm.init(trusted);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(km.getKeyManagers(), tm == null ? null : tm.getTrustManagers(), random);
      return new NbdTls(mode, context, tm != null);
    } catch (GeneralSecurityException e) {
      throw new IOException(
          "cannot use the NBD TLS credentials in " + directory + ": " + e.getMessage(), e);
    }
  }

  public NbdTlsMode mode() {
    return mode;
  }

  /** Whether clients must present a certificate signed by the configured client CA. */
  public boolean clientCertificates() {
    return clientCertificates;
  }

  /** A server-side engine for one connection. */
  SSLEngine newEngine() {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setProtocols(protocols);
    parameters.setNeedClientAuth(clientCertificates);
    engine.setSSLParameters(parameters);
    return engine;
  }

  private static List<X509Certificate> certificates(Path file)
      throws IOException, GeneralSecurityException {
    Collection<? extends Certificate> read;
    try (InputStream in = Files.newInputStream(file)) {
      read = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (NoSuchFileException e) {
      throw new IOException("missing " + file, e);
    }
    List<X509Certificate> certificates = new ArrayList<>();
    for (Certificate c : read) {
      certificates.add((X509Certificate) c);
    }
    if (certificates.isEmpty()) {
      throw new IOException("no PEM certificate in " + file);
    }
    return certificates;
  }

  private static PrivateKey privateKey(Path file, X509Certificate certificate)
      throws IOException, GeneralSecurityException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new IOException("missing " + file, e);
    }
    requireOwnerOnly(file);
    byte[] der;
    byte[] pkcs8 = pem(text, "PRIVATE KEY");
    if (pkcs8 != null) {
      der = pkcs8;
    } else {
      byte[] pkcs1 = pem(text, "RSA PRIVATE KEY");
      if (pkcs1 == null) {
        throw new IOException(
            file
                + " holds no unencrypted PKCS#8 or RSA private key; convert it with"
                + " 'openssl pkcs8 -topk8 -nocrypt -in <key> -out "
                + SERVER_KEY
                + "'");
      }
      der = rsaPkcs8(pkcs1);
    }
    String algorithm = certificate.getPublicKey().getAlgorithm();
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IOException(
          file + " is not a " + algorithm + " private key matching " + SERVER_CERT, e);
    }
  }

  /** A private key must not be readable by others: refuse to start rather than use a leak. */
  private static void requireOwnerOnly(Path file) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (view == null) {
      return; // no POSIX permissions to check on this file system
    }
    Set<PosixFilePermission> open =
        Set.of(
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE);
    for (PosixFilePermission p : view.readAttributes().permissions()) {
      if (open.contains(p)) {
        throw new IOException(file + " is readable or writable by others; chmod 600 it");
      }
    }
  }

  /** The DER of the first PEM block of {@code type}, or null if there is none. */
  private static byte[] pem(String text, String type) {
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int from = text.indexOf(begin);
    int to = from < 0 ? -1 : text.indexOf(end, from);
    if (to < 0) {
      return null;
    }
    return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
  }

  /** Wraps a PKCS#1 RSA key in a PKCS#8 structure, which is what the JDK reads. */
  private static byte[] rsaPkcs8(byte[] pkcs1) {
    byte[] rsaAlgorithm = {
      0x30,
      0x0d,
      0x06,
      0x09,
      0x2a,
      (byte) 0x86,
      0x48,
      (byte) 0x86,
      (byte) 0xf7,
      0x0d,
      0x01,
      0x01,
      0x01,
      0x05,
      0x00
    };
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00}); // version 0
    body.writeBytes(rsaAlgorithm);
    derElement(body, 0x04, pkcs1);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    derElement(all, 0x30, body.toByteArray());
    return all.toByteArray();
  }

  private static void derElement(ByteArrayOutputStream out, int tag, byte[] content) {
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(n) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(n >>> (8 * i));
      }
    }
    out.writeBytes(content);
  }
}
