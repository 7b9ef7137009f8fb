package org.roamstore.runtime.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The gateway's HTTPS keystore: an operator's (PKCS12, or JKS when the name ends in .jks), opened
 * once with its password before anything starts, or one made from the site's PEM files at each
 * start. Payara Micro reads it and its password from a properties file ({@code
 * --systemproperties}), so that the password is on no command line.
 */
public record GatewayKeystore(Path file, String type, String password, String alias) {
  /** The alias of the key in the keystore made from PEM files. */
  public static final String MADE_ALIAS = "roamstore";

  static String typeOf(Path file) {
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    return name.endsWith(".jks") ? "JKS" : "PKCS12";
  }

  /**
   * An operator's keystore, checked: readable, its password from the owner-only file or the
   * environment, opens with it, holds a private key (whose alias is found).
   */
  static GatewayKeystore operators(Path file, Path passwordFile, Map<String, String> env)
      throws ConfigException {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new ConfigException("--https-keystore " + file + ": not a readable file");
    }
    Path absolute = file.toAbsolutePath().normalize();
    String password = password(passwordFile, env);
    String type = typeOf(absolute);
    KeyStore store;
    try (InputStream in = Files.newInputStream(absolute)) {
      store = KeyStore.getInstance(type);
      store.load(in, password.toCharArray());
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(
          "--https-keystore "
              + file
              + ": cannot open it with the password given (wrong password, or not a PKCS12 or JKS"
              + " keystore): "
              + e.getMessage(),
          e);
    }
    try {
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias)) {
          return new GatewayKeystore(absolute, type, password, alias);
        }
      }
    } catch (GeneralSecurityException e) {
      throw new ConfigException("--https-keystore " + file + ": " + e.getMessage(), e);
    }
    throw new ConfigException(
        "--https-keystore " + file + ": holds no private key (the gateway's key and certificate)");
  }

  /**
   * The password of --https-keystore: the first line of --https-keystore-password-file (which only
   * its owner may read), or ROAMSTORE_HTTPS_KEYSTORE_PASSWORD.
   */
  static String password(Path file, Map<String, String> env) throws ConfigException {
    String password;
    if (file != null) {
      password = SecretFiles.firstLine("--https-keystore-password-file", file);
    } else if (env.get("ROAMSTORE_HTTPS_KEYSTORE_PASSWORD") != null
        && !env.get("ROAMSTORE_HTTPS_KEYSTORE_PASSWORD").isEmpty()) {
      password = env.get("ROAMSTORE_HTTPS_KEYSTORE_PASSWORD");
    } else {
      throw new ConfigException(
          "--https-keystore needs its password: --https-keystore-password-file FILE (owner-only)"
              + " or the environment variable ROAMSTORE_HTTPS_KEYSTORE_PASSWORD");
    }
    // Payara Micro reads it from a properties file (ISO 8859-1): printable ASCII keeps it intact.
    for (char c : password.toCharArray()) {
      if (c < 0x20 || c > 0x7e) {
        throw new ConfigException(
            "--https-keystore: the password must be printable ASCII characters");
      }
    }
    return password;
  }

  /**
   * The keystore made afresh at each start from the site's PEM files ({@code tls/SITE} or {@code
   * tls} itself: server-cert.pem, server-key.pem, and the demo CA's certificate in tls/ca when
   * there is one), owner-only, under a random password that only Payara Micro's owner-only system
   * properties hold.
   */
  static GatewayKeystore fromPem(Path tls, String site, Path store) throws ConfigException {
    Path dir = PemStores.siteDirectory(tls, site);
    if (!PemStores.hasServerFiles(dir)) {
      throw new ConfigException(
          "--nbd-tls-dir "
              + tls
              + ": no server-cert.pem and server-key.pem for the gateway; give them, or"
              + " --https-keystore");
    }
    List<X509Certificate> chain =
        new ArrayList<>(PemStores.certificates(dir.resolve("server-cert.pem")));
    Path ca = tls.resolve("ca").resolve("ca-cert.pem");
    if (Files.isRegularFile(ca)) {
      chain.addAll(PemStores.certificates(ca));
    }
    String password = SecretFiles.randomPassword();
    PrivateKey key = PemStores.privateKey(dir.resolve("server-key.pem"));
    PemStores.keyStore(store, key, chain, password, MADE_ALIAS);
    return new GatewayKeystore(store, "PKCS12", password, MADE_ALIAS);
  }

  /** The system properties Payara Micro takes the keystore from. */
  Properties systemProperties() {
    Properties properties = new Properties();
    properties.setProperty("javax.net.ssl.keyStore", file.toString());
    properties.setProperty("javax.net.ssl.keyStoreType", type);
    properties.setProperty("javax.net.ssl.keyStorePassword", password);
    return properties;
  }
}
