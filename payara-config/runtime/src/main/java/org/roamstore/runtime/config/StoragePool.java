package org.roamstore.runtime.config;

import java.nio.file.Path;

/**
 * One storage connection pool: a storage control unit this server runs ({@code hosted}), or another
 * data center's, reached through this server's broker. Every pool reaches its unit's peers through
 * the broker at {@code brokerHost:brokerPort}, remote copy and control requests alike, logging in
 * with the user and TLS parameters of {@code brokerClientProperties} (null: a broker without
 * users).
 *
 * <p>With {@code anySystem}, the pool of a server of one site among several that reaches any
 * storage system by name through its broker ({@code AnyStorageSystem}): the directory's route to
 * data centers added while the server runs, which have no pool of their own here. Its {@code
 * storageSystem} is the server's own site, a default only.
 */
public record StoragePool(
    String storageSystem,
    boolean anySystem,
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

  /**
   * A pool of a unit this server does not host, reached through its broker; with {@code anySystem},
   * the one that reaches any storage system, {@code storageSystem} then the server's own site.
   */
  static StoragePool throughBroker(
      String storageSystem,
      boolean anySystem,
      String brokerHost,
      int brokerPort,
      Path brokerClientProperties,
      String localSite) {
    return new StoragePool(
        storageSystem,
        anySystem,
        false,
        null,
        null,
        0,
        null,
        null,
        brokerHost,
        brokerPort,
        brokerClientProperties,
        localSite);
  }

  public String poolName() {
    return anySystem ? "storage-any-pool" : "storage-" + storageSystem + "-pool";
  }

  /** Where the directory looks it up (its JndiStorageSites). */
  public String jndiName() {
    return anySystem ? "roamstore/storage-any" : "roamstore/storage/" + storageSystem;
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
    if (anySystem) {
      pool.property("AnyStorageSystem", "true");
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
