package org.roamstore.broker;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.activemq.artemis.core.remoting.impl.netty.TransportConstants;

/**
 * TLS on a site's broker: its acceptor asks every client for a certificate of the trusted CA
 * (mutual TLS: the site's own server, peer sites' bridges and integrating systems alike), and its
 * bridges present the site's certificate and check that the peer's certificate names the host they
 * dialled.
 *
 * <p>The stores and their passwords come from an owner-only properties file (the launcher writes it
 * from PEM files): {@code keyStorePath}, {@code keyStorePassword}, {@code trustStorePath}, {@code
 * trustStorePassword}, and optionally {@code keyStoreType} and {@code trustStoreType} (PKCS12 by
 * default). The same keys are Artemis's transport parameters, so a client of the broker can take
 * them as they are.
 */
public final class BrokerTls {
  private static final List<String> REQUIRED =
      List.of(
          TransportConstants.KEYSTORE_PATH_PROP_NAME,
          TransportConstants.KEYSTORE_PASSWORD_PROP_NAME,
          TransportConstants.TRUSTSTORE_PATH_PROP_NAME,
          TransportConstants.TRUSTSTORE_PASSWORD_PROP_NAME);

  private final Map<String, Object> stores;

  private BrokerTls(Map<String, Object> stores) {
    this.stores = stores;
  }

  /** Reads the stores' settings from an owner-only properties file. */
  public static BrokerTls load(Path file) {
    Properties properties = new Properties();
    try (Reader reader =
        Files.newBufferedReader(SecretFile.checked(file), StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read it: " + e.getMessage(), e);
    }
    Map<String, Object> stores = new HashMap<>();
    for (String key : REQUIRED) {
      String value = properties.getProperty(key);
      if (value == null || value.isEmpty()) {
        throw new IllegalArgumentException(file + ": no " + key);
      }
      stores.put(key, value);
    }
    for (String path :
        List.of(
            TransportConstants.KEYSTORE_PATH_PROP_NAME,
            TransportConstants.TRUSTSTORE_PATH_PROP_NAME)) {
      if (!Files.isReadable(Path.of((String) stores.get(path)))) {
        throw new IllegalArgumentException(
            file + ": " + path + " " + stores.get(path) + " is not a readable file");
      }
    }
    stores.put(
        TransportConstants.KEYSTORE_TYPE_PROP_NAME,
        properties.getProperty(TransportConstants.KEYSTORE_TYPE_PROP_NAME, "PKCS12"));
    stores.put(
        TransportConstants.TRUSTSTORE_TYPE_PROP_NAME,
        properties.getProperty(TransportConstants.TRUSTSTORE_TYPE_PROP_NAME, "PKCS12"));
    return new BrokerTls(stores);
  }

  /** The acceptor's: TLS 1.2 or newer, and no client without a certificate of the trusted CA. */
  Map<String, Object> acceptorParameters() {
    Map<String, Object> parameters = common();
    parameters.put(TransportConstants.NEED_CLIENT_AUTH_PROP_NAME, true);
    return parameters;
  }

  /** A bridge's: the site's certificate, and the peer's checked against the host dialled. */
  Map<String, Object> connectorParameters() {
    Map<String, Object> parameters = common();
    parameters.put(TransportConstants.VERIFY_HOST_PROP_NAME, true);
    return parameters;
  }

  private Map<String, Object> common() {
    Map<String, Object> parameters = new HashMap<>(stores);
    parameters.put(TransportConstants.SSL_ENABLED_PROP_NAME, true);
    parameters.put(TransportConstants.ENABLED_PROTOCOLS_PROP_NAME, "TLSv1.3,TLSv1.2");
    return parameters;
  }
}
