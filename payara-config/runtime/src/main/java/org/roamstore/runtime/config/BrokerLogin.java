package org.roamstore.runtime.config;

import java.util.Map;
import java.util.Properties;

/**
 * How one server's broker clients log in to its broker: the site's user and password, and with TLS
 * Artemis's transport parameters (sslEnabled, verifyHost, the stores and their password). Each kind
 * of client takes them its own way: the Artemis adapter from the (owner-only) post-boot or server
 * command file (which also give the JMS pools their user), the storage connector from an owner-only
 * properties file, Artemis's TLS inside the server from system properties.
 */
public record BrokerLogin(String user, String password, Map<String, String> transport) {

  /** The adapter's ConnectionParameters: the broker's address, then the TLS parameters. */
  String connectionParameters(String host, int port) {
    StringBuilder parameters = new StringBuilder("host=" + host + ";port=" + port);
    transport.forEach((k, v) -> parameters.append(';').append(k).append('=').append(v));
    return parameters.toString();
  }

  /** The storage connector's BrokerClientProperties. */
  Properties clientProperties() {
    Properties client = new Properties();
    client.setProperty("user", user);
    client.setProperty("password", password);
    transport.forEach(client::setProperty);
    return client;
  }

  /**
   * The server's (Payara Micro's --systemproperties file, a full server's
   * create-system-properties), none without TLS: with TLS the stores for Artemis's clients, which
   * take the JVM's javax.net.ssl.* stores (Payara sets its own) over the ones they are given; only
   * the org.apache.activemq.ssl.* properties come before those.
   */
  Properties systemProperties() {
    Properties system = new Properties();
    if (transport.containsKey("keyStorePath")) {
      String prefix = "org.apache.activemq.ssl.";
      system.setProperty(prefix + "keyStore", transport.get("keyStorePath"));
      system.setProperty(prefix + "keyStorePassword", transport.get("keyStorePassword"));
      system.setProperty(prefix + "keyStoreType", "PKCS12");
      system.setProperty(prefix + "trustStore", transport.get("trustStorePath"));
      system.setProperty(prefix + "trustStorePassword", transport.get("trustStorePassword"));
      system.setProperty(prefix + "trustStoreType", "PKCS12");
    }
    return system;
  }
}
