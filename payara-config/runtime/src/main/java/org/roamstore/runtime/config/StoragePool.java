package org.roamstore.runtime.config;

import java.nio.file.Path;

/**
 * One storage connection pool: a storage control unit this server runs ({@code hosted}), or another
 * data center's, reached through this server's broker. Every pool reaches its unit's peers through
 * the broker at {@code brokerHost:brokerPort}, remote copy and control requests alike, logging in
 * with the user and TLS parameters of {@code brokerClientProperties} (null: a broker without
 * users).
 */
public record StoragePool(
    String storageSystem,
    boolean hosted,
    Path dataDirectory,
    String nbdHost,
    int nbdPort,
    String nbdTls,
    Path nbdTlsDirectory,
    String brokerHost,
    int brokerPort,
    Path brokerClientProperties,
    String localSite) {

  public String poolName() {
    return "storage-" + storageSystem + "-pool";
  }

  public String jndiName() {
    return "roamstore/storage/" + storageSystem;
  }

  AsadminCommand pool(String resourceAdapter) {
    AsadminCommand pool =
        AsadminCommand.of("create-connector-connection-pool")
            .option("--raname", resourceAdapter)
            .option("--connectiondefinition", "org.roamstore.storage.api.StorageConnectionFactory")
            .option("--transactionsupport", "NoTransaction")
            .option("--ping", "false")
            .property("StorageSystem", storageSystem);
    if (hosted) {
      pool.property("DataDirectory", dataDirectory.toString())
          .property("NbdHost", nbdHost)
          .property("NbdPort", String.valueOf(nbdPort))
          .property("NbdTls", nbdTls);
      if (nbdTlsDirectory != null) {
        pool.property("NbdTlsDirectory", nbdTlsDirectory.toString());
      }
    } else {
      pool.property("Hosted", "false");
    }
    pool.property("BrokerUrl", "tcp://" + brokerHost + ":" + brokerPort);
    if (brokerClientProperties != null) {
      pool.property("BrokerClientProperties", brokerClientProperties.toString());
    }
    if (localSite != null) {
      pool.property("LocalSite", localSite);
    }
    return pool.operand(poolName());
  }
}
