package org.roamstore.runtime.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A site broker's users and TLS, as one server's launch sets them up. Users always: each site of
 * the topology (its server logs in to its own broker with it, its bridges to the peers' brokers),
 * {@code roamstore} for the one broker of an all-in-one run, and the integrating systems; their
 * passwords are made once, at random, in owner-only files of the secrets directory ({@code
 * sites/NAME.password}, {@code integrations/NAME.password}) and never leave files. TLS with client
 * certificates on the broker's port and bridges: required for a site of the multi-site topology,
 * off in one JVM unless asked for; its stores are made afresh at each start from the PEM files of
 * the certificates directory (the site's certificate, which also logs its bridges in, and the CA).
 *
 * @param tls off or required
 * @param certificates where the site's server-cert.pem, server-key.pem and the CA's ca-cert.pem are
 *     (DIR/SITE or DIR; the CA also in DIR/ca); null when TLS is off
 * @param secrets the users' passwords
 * @param user the user this server logs in as: its site, or {@code roamstore} in one JVM
 * @param sites every storage system of the topology
 */
public record BrokerSecurity(
    String tls, Path certificates, Path secrets, String user, List<String> sites) {

  /** The user of the all-in-one run's server (as the broker's BrokerUsers names it). */
  public static final String ALL_IN_ONE = "roamstore";

  /** The integrating system whose password is made when none is configured. */
  static final String INTEGRATION = "integration";

  static final List<String> OPTIONS =
      List.of("--broker-tls", "--broker-tls-dir", "--broker-secrets");

  /** --broker-tls's mode, off or required, checked. */
  static String mode(Options o, String fallback) throws ConfigException {
    String value = o.get("--broker-tls", "ROAMSTORE_BROKER_TLS", fallback);
    if (!value.equals("off") && !value.equals("required")) {
      throw new ConfigException(
          o.source("--broker-tls", "ROAMSTORE_BROKER_TLS")
              + ": off or required, not '"
              + value
              + "'");
    }
    return value;
  }

  /**
   * The settings of one run.
   *
   * @param demoDirectory the TLS directory of the run (the demo CA's unless --nbd-tls-dir), where
   *     the broker's certificates are unless --broker-tls-dir says otherwise
   */
  static BrokerSecurity of(
      Options o, String tls, Path data, String site, List<String> sites, Path demoDirectory)
      throws ConfigException {
    Path certificates = null;
    if (tls.equals("required")) {
      // Without a directory of its own, the run's (the demo CA's, made later by the launcher).
      certificates = o.directory("--broker-tls-dir", "ROAMSTORE_BROKER_TLS_DIR");
      if (certificates == null) {
        certificates = demoDirectory;
      }
    }
    String secrets = o.get("--broker-secrets", "ROAMSTORE_BROKER_SECRETS", "");
    Path secretsDir =
        secrets.isEmpty() ? data.resolve("secrets") : Path.of(secrets).toAbsolutePath().normalize();
    CommandFile.checkWord("--broker-secrets", secretsDir.toString());
    return new BrokerSecurity(
        tls, certificates, secretsDir, site == null ? ALL_IN_ONE : site, List.copyOf(sites));
  }

  /** Whether this run needs certificates from the TLS directory (so the demo CA's, if none). */
  static boolean needsCertificates(Options o, String tls) {
    return tls.equals("required")
        && o.get("--broker-tls-dir", "ROAMSTORE_BROKER_TLS_DIR", "").isEmpty();
  }

  /** The broker's options: its secrets directory, and its stores' file with TLS. */
  public List<String> brokerArguments(Path runtime) {
    List<String> args = new ArrayList<>(List.of("--secrets", secrets.toString()));
    if (!tls.equals("off")) {
      args.addAll(List.of("--tls", runtime.resolve("broker-tls.properties").toString()));
    }
    return args;
  }

  Path passwordFile(String site) {
    return secrets.resolve("sites").resolve(site + ".password");
  }

  /**
   * Makes what is missing and everything made per start: the users' passwords (kept once made), and
   * with TLS the stores under {@code runtime/broker-tls} with a new random password, {@code
   * broker-tls.properties} for the broker and {@code broker-client.properties} for the storage
   * connector's clients (all owner-only). Returns how this server's clients log in.
   */
  public BrokerLogin prepare(Path runtime) throws ConfigException {
    SecretFiles.ownerOnlyDirectory(secrets);
    Path sitesDir = SecretFiles.ownerOnlyDirectory(secrets.resolve("sites"));
    Path integrations = SecretFiles.ownerOnlyDirectory(secrets.resolve("integrations"));
    for (String site : sites) {
      SecretFiles.writeOnce(sitesDir.resolve(site + ".password"));
    }
    SecretFiles.writeOnce(sitesDir.resolve(ALL_IN_ONE + ".password"));
    try (Stream<Path> files = Files.list(integrations)) {
      if (files.noneMatch(f -> f.getFileName().toString().endsWith(".password"))) {
        SecretFiles.writeOnce(integrations.resolve(INTEGRATION + ".password"));
      }
    } catch (IOException e) {
      throw new ConfigException("--broker-secrets " + secrets + ": " + e.getMessage(), e);
    }
    String password = SecretFiles.firstLine("--broker-secrets", passwordFile(user));
    Map<String, String> transport = new LinkedHashMap<>();
    if (!tls.equals("off")) {
      transport.put("sslEnabled", "true");
      transport.put("verifyHost", "true");
      transport.putAll(stores(SecretFiles.ownerOnlyDirectory(runtime.resolve("broker-tls"))));
      Properties broker = new Properties();
      for (String key :
          List.of("keyStorePath", "keyStorePassword", "trustStorePath", "trustStorePassword")) {
        broker.setProperty(key, transport.get(key));
      }
      SecretFiles.writeProperties(
          runtime.resolve("broker-tls.properties"), broker, "the broker's stores; each start");
    }
    BrokerLogin login = new BrokerLogin(user, password, transport);
    SecretFiles.writeProperties(
        runtime.resolve("broker-client.properties"),
        login.clientProperties(),
        "the storage connector's broker user; each start");
    return login;
  }

  /** The site's key and the CA as PKCS12 stores; their paths and password as transport keys. */
  private Map<String, String> stores(Path dir) throws ConfigException {
    Path siteDir =
        PemStores.siteDirectory(certificates, user.equals(ALL_IN_ONE) ? sites.get(0) : user);
    Path cert = siteDir.resolve("server-cert.pem");
    Path key = siteDir.resolve("server-key.pem");
    if (!PemStores.hasServerFiles(siteDir)) {
      throw new ConfigException(
          "--broker-tls-dir "
              + certificates
              + ": no server-cert.pem and server-key.pem for the broker (in "
              + certificates.resolve(user)
              + " or the directory itself)");
    }
    Path ca = null;
    for (Path candidate :
        List.of(
            siteDir.resolve("ca-cert.pem"),
            certificates.resolve("ca-cert.pem"),
            certificates.resolve("ca/ca-cert.pem"))) {
      if (ca == null && Files.isRegularFile(candidate)) {
        ca = candidate;
      }
    }
    if (ca == null) {
      throw new ConfigException(
          "--broker-tls-dir "
              + certificates
              + ": no ca-cert.pem (the CA of every site's and client's certificate)");
    }
    List<X509Certificate> chain = new ArrayList<>(PemStores.certificates(cert));
    if (!PemStores.clientAuth(chain.get(0))) {
      throw new ConfigException(
          cert
              + ": the broker's certificate also logs its bridges in to the peers' brokers; it"
              + " needs the extended key usage clientAuth beside serverAuth");
    }
    List<X509Certificate> cas = PemStores.certificates(ca);
    chain.addAll(cas);
    PrivateKey privateKey = PemStores.privateKey(key);
    String password = SecretFiles.randomPassword();
    Path keyStore = dir.resolve("keystore.p12");
    Path trustStore = dir.resolve("truststore.p12");
    PemStores.keyStore(keyStore, privateKey, chain, password);
    PemStores.trustStore(trustStore, cas, password);
    Map<String, String> stores = new LinkedHashMap<>();
    stores.put("keyStorePath", keyStore.toString());
    stores.put("keyStorePassword", password);
    stores.put("trustStorePath", trustStore.toString());
    stores.put("trustStorePassword", password);
    return stores;
  }
}
