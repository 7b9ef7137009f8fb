package org.roamstore.runtime.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The demo CA and its certificates, made under DATA/tls when the operator names no certificates (no
 * --nbd-tls-dir), so that TLS on every link still starts with one command:
 *
 * <ul>
 *   <li>{@code ca/}: the CA (ca-cert.pem, and ca-key.pem which never leaves this owner-only
 *       folder);
 *   <li>{@code SITE/}: each site's server-cert.pem and server-key.pem, for serverAuth (NBD, the
 *       gateway, its broker) and clientAuth (its broker's bridges log in to the other sites'
 *       brokers with it), naming localhost, 127.0.0.1 and the host clients connect to;
 *   <li>{@code client/}: ca-cert.pem, client-cert.pem, client-key.pem, the layout qemu's
 *       tls-creds-x509 and libnbd read.
 * </ul>
 *
 * Keys are EC P-256, PKCS#8 PEM, owner-only. What exists and still fits is kept, so that clients
 * configured once keep working across restarts: a certificate is made anew only when it or its key
 * is missing, it does not come from this CA, or a site's lacks clientAuth (made before the brokers'
 * bridges used it). The JDK's keytool signs; no password reaches a command line or a log.
 */
final class DemoCertificates {
  static final String CA_NAME = "CN=Roamstore demo CA";
  static final int CA_DAYS = 3650;
  static final int DAYS = 825;
  static final String CLIENT = "client";

  /** What may stand in a certificate's subjectAltName as given to keytool. */
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:-]{1,253}");

  private final Path dir;
  private final Keytool keytool;

  DemoCertificates(Path dir, Keytool keytool) {
    this.dir = dir;
    this.keytool = keytool;
  }

  /** Makes what is missing for {@code sites} and the client; returns what it made (CA first). */
  static List<String> ensure(Path dir, List<String> sites, String host) throws ConfigException {
    return new DemoCertificates(dir, Keytool.ofThisJvm()).ensure(sites, host);
  }

  List<String> ensure(List<String> sites, String host) throws ConfigException {
    String names = subjectAltNames(host);
    for (String site : sites) {
      if (site.equals("ca") || site.equals(CLIENT)) {
        throw new ConfigException(
            "storage system '"
                + site
                + "': the demo certificates keep their CA and client in folders of that name;"
                + " rename it, or give --nbd-tls-dir");
      }
    }
    Path caDir = dir.resolve("ca");
    try {
      Files.createDirectories(dir);
      Files.createDirectories(dir.resolve(CLIENT));
    } catch (IOException e) {
      throw new ConfigException(
          "cannot make the demo certificates in " + dir + ": " + reason(e), e);
    }
    SecretFiles.ownerOnlyDirectory(caDir);
    Path caCert = caDir.resolve("ca-cert.pem");
    Path caKey = caDir.resolve("ca-key.pem");
    X509Certificate ca = Files.isRegularFile(caKey) ? readable(caCert) : null;

    List<String> toMake = new ArrayList<>();
    for (String entity : entities(sites)) {
      if (!fits(entity, ca)) {
        toMake.add(entity);
      }
    }
    List<String> made = new ArrayList<>();
    if (ca != null && toMake.isEmpty()) {
      publish(dir.resolve(CLIENT).resolve("ca-cert.pem"), ca);
      return made;
    }
    Path work = workDirectory(caDir);
    try {
      String password = SecretFiles.randomPassword();
      Path caStore = work.resolve("ca.p12");
      if (ca == null) {
        keyPair(
            "the demo CA in " + caDir,
            caStore,
            password,
            "ca",
            CA_NAME,
            "-validity",
            String.valueOf(CA_DAYS),
            "-ext",
            "bc:c=ca:true",
            "-ext",
            "ku:c=keyCertSign,cRLSign");
        ca = save(caStore, password, "ca", caKey, caCert);
        made.add("ca");
      } else {
        PemStores.keyStore(caStore, PemStores.privateKey(caKey), List.of(ca), password, "ca");
      }
      for (String entity : toMake) {
        make(entity, work, caStore, password, names);
        made.add(entity);
      }
    } finally {
      delete(work);
    }
    publish(dir.resolve(CLIENT).resolve("ca-cert.pem"), ca);
    return made;
  }

  /** The sites, then the client. */
  private static List<String> entities(List<String> sites) {
    List<String> all = new ArrayList<>(sites);
    all.add(CLIENT);
    return all;
  }

  static Path certificate(Path dir, String entity) {
    return dir.resolve(entity).resolve(prefix(entity) + "-cert.pem");
  }

  static Path key(Path dir, String entity) {
    return dir.resolve(entity).resolve(prefix(entity) + "-key.pem");
  }

  private static String prefix(String entity) {
    return entity.equals(CLIENT) ? "client" : "server";
  }

  /** Whether an entity's certificate is kept: present with its key, from this CA, fit for use. */
  private boolean fits(String entity, X509Certificate ca) throws ConfigException {
    X509Certificate certificate = readable(certificate(dir, entity));
    if (ca == null || certificate == null || !Files.isRegularFile(key(dir, entity))) {
      return false;
    }
    try {
      certificate.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      return false;
    }
    return entity.equals(CLIENT) || PemStores.clientAuth(certificate);
  }

  /** The certificate in a PEM file, or null when it is missing or unreadable (then made anew). */
  private static X509Certificate readable(Path pem) {
    if (!Files.isRegularFile(pem)) {
      return null;
    }
    try {
      return PemStores.certificates(pem).get(0);
    } catch (ConfigException e) {
      return null;
    }
  }

  /** A key pair in a store of its own, a request for it, the CA's signature, then the PEM files. */
  private void make(String entity, Path work, Path caStore, String password, String names)
      throws ConfigException {
    Path out = dir.resolve(entity);
    String what = "the demo certificate in " + out;
    Path store = work.resolve(entity + ".p12");
    Path request = work.resolve(entity + ".csr");
    Path signed = work.resolve(entity + ".pem");
    keyPair(what, store, password, "key", "CN=roamstore-" + entity);
    keytool.run(what, "-certreq", store, password, List.of("-alias", "key", "-file", "" + request));
    List<String> sign = new ArrayList<>(List.of("-alias", "ca", "-infile", "" + request));
    sign.addAll(List.of("-outfile", "" + signed, "-rfc", "-sigalg", "SHA256withECDSA"));
    sign.addAll(List.of("-validity", String.valueOf(DAYS), "-ext", "ku:c=digitalSignature"));
    if (entity.equals(CLIENT)) {
      sign.addAll(List.of("-ext", "eku=clientAuth"));
    } else {
      sign.addAll(List.of("-ext", "eku=serverAuth,clientAuth", "-ext", "san=" + names));
    }
    keytool.run(what, "-gencert", caStore, password, sign);
    try {
      Files.createDirectories(out);
      // The old certificate goes first: a stop halfway leaves no certificate beside a new key.
      Files.deleteIfExists(certificate(dir, entity));
    } catch (IOException e) {
      throw new ConfigException(what + ": " + reason(e), e);
    }
    writeKey(key(dir, entity), entry(store, password, "key"));
    publish(certificate(dir, entity), PemStores.certificates(signed).get(0));
  }

  /**
   * An EC P-256 key pair and its self-signed certificate (a CA's, or one to request) in a store.
   */
  private void keyPair(
      String what, Path store, String password, String alias, String name, String... more)
      throws ConfigException {
    List<String> args = new ArrayList<>(List.of("-alias", alias, "-dname", name));
    args.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA"));
    args.addAll(List.of(more));
    keytool.run(what, "-genkeypair", store, password, args);
  }

  /** Writes the key and certificate keytool made in {@code store} as PEM files. */
  static X509Certificate save(
      Path store, String password, String alias, Path keyFile, Path certificateFile)
      throws ConfigException {
    KeyStore.PrivateKeyEntry entry = entry(store, password, alias);
    writeKey(keyFile, entry);
    X509Certificate certificate = (X509Certificate) entry.getCertificate();
    publish(certificateFile, certificate);
    return certificate;
  }

  /** The key as unencrypted PKCS#8 PEM with its public key in, owner-only. */
  private static void writeKey(Path file, KeyStore.PrivateKeyEntry entry) throws ConfigException {
    byte[] der =
        EcPrivateKeys.pkcs8(
            (ECPrivateKey) entry.getPrivateKey(), entry.getCertificate().getPublicKey());
    SecretFiles.write(
        file, PemStores.encode("PRIVATE KEY", der).getBytes(StandardCharsets.US_ASCII));
  }

  private static KeyStore.PrivateKeyEntry entry(Path file, String password, String alias)
      throws ConfigException {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password.toCharArray());
      return (KeyStore.PrivateKeyEntry)
          store.getEntry(alias, new KeyStore.PasswordProtection(password.toCharArray()));
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException("cannot read what keytool made in " + file + ": " + e, e);
    }
  }

  /** A certificate anyone may read (clients need it), written whole before it is renamed in. */
  private static void publish(Path file, X509Certificate certificate) throws ConfigException {
    try {
      String text = PemStores.encode("CERTIFICATE", certificate.getEncoded());
      Path part = file.resolveSibling(file.getFileName() + ".part");
      Files.writeString(part, text, StandardCharsets.US_ASCII);
      Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rw-r--r--"));
      Files.move(part, file, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException("cannot write " + file + ": " + reason(e), e);
    }
  }

  /** keytool's subjectAltName: localhost, 127.0.0.1 and the host clients connect to. */
  static String subjectAltNames(String host) throws ConfigException {
    String names = "dns:localhost,ip:127.0.0.1";
    if (host == null || host.equals("127.0.0.1") || host.equals("localhost")) {
      return names;
    }
    if (!HOST.matcher(host).matches()) {
      throw new ConfigException("--host " + host + ": not a host name or IP address");
    }
    boolean address = host.contains(":") || host.matches("[0-9.]+");
    return names + (address ? ",ip:" : ",dns:") + host;
  }

  /** A folder only the owner may enter, inside the CA's, for keytool's passing stores. */
  private static Path workDirectory(Path caDir) throws ConfigException {
    try {
      return Files.createTempDirectory(
          caDir,
          "keytool-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw new ConfigException("cannot write in " + caDir + ": " + reason(e), e);
    }
  }

  /** The JDK's messages of file errors are often the file's name alone. */
  static String reason(Exception e) {
    if (e instanceof AccessDeniedException denied) {
      return "permission denied (" + denied.getFile() + ")";
    }
    return e.toString();
  }

  private static void delete(Path work) {
    try (Stream<Path> files = Files.walk(work)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // What is left holds only passing stores with random passwords, in an owner-only folder.
    }
  }
}
