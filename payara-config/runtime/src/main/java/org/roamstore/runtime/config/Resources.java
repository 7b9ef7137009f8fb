package org.roamstore.runtime.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The resources Roamstore's modules look up, as asadmin commands: the Artemis adapter and the JMS
 * pool behind {@code jms/roamstore}, the directory's JDBC pool behind {@code jdbc/roamstore}, and
 * one storage pool per data center behind {@code roamstore/storage/<system>}. Payara Micro's
 * post-boot file and a full server's command file are made of these same commands.
 */
public final class Resources {
  public static final String ARTEMIS_ADAPTER = "artemis-rar";
  public static final String STORAGE_ADAPTER = "storage-connector";

  private Resources() {}

  /**
   * The Artemis adapter pointed at this server's broker (logging in as {@code login}'s user, over
   * TLS when it has stores; null: the broker has no users), its RAR deployed, the JMS pool. The
   * adapter's user serves its message-driven beans; the pool needs the user too, as its own
   * UserName and Password: the server signs a pool's connections on with those, and without them
   * with an empty user name, which the adapter sends in place of its own (measured: the broker
   * refused "Username: ").
   */
  public static List<AsadminCommand> messaging(
      Path artemisRar, String brokerHost, int brokerPort, BrokerLogin login) {
    AsadminCommand config = AsadminCommand.of("create-resource-adapter-config");
    if (login == null) {
      config.property("ConnectionParameters", "host=" + brokerHost + ";port=" + brokerPort);
    } else {
      config
          .property("ConnectionParameters", login.connectionParameters(brokerHost, brokerPort))
          .property("UserName", login.user())
          .property("Password", login.password());
    }
    AsadminCommand pool =
        AsadminCommand.of("create-connector-connection-pool")
            .option("--raname", ARTEMIS_ADAPTER)
            .option("--connectiondefinition", "jakarta.jms.ConnectionFactory")
            .option("--transactionsupport", "XATransaction")
            .option("--ping", "false")
            .option("--steadypoolsize", "1")
            .option("--maxpoolsize", "64");
    if (login != null) {
      pool.property("UserName", login.user()).property("Password", login.password());
    }
    return List.of(
        config.operand(ARTEMIS_ADAPTER),
        deployRar(ARTEMIS_ADAPTER, artemisRar),
        pool.operand("jms-roamstore-pool"),
        AsadminCommand.of("create-connector-resource")
            .option("--poolname", "jms-roamstore-pool")
            .operand("jms/roamstore"));
  }

  /**
   * The directory's database. No --statementcachesize: the pool's cache hands the same statement
   * object to two statements of one transaction, and Hibernate then fails ("JDBC Statement already
   * registered"; measured).
   */
  public static List<AsadminCommand> directory(Jdbc jdbc) {
    return List.of(
        jdbc.addProperties(
                AsadminCommand.of("create-jdbc-connection-pool")
                    .option("--datasourceclassname", jdbc.dataSourceClass())
                    .option("--restype", "javax.sql.DataSource"))
            .operand("directory-pool"),
        AsadminCommand.of("create-jdbc-resource")
            .option("--connectionpoolid", "directory-pool")
            .operand("jdbc/roamstore"));
  }

  /**
   * One pool and resource per storage control unit, for the adapter named {@code resourceAdapter}
   * (the standalone RAR's name, or {@code app#module} inside an EAR). A hosted unit's pool is
   * pinged, which opens the unit at boot, so its NBD port listens before anyone logs in.
   */
  public static List<AsadminCommand> storage(String resourceAdapter, List<StoragePool> pools) {
    List<AsadminCommand> commands = new ArrayList<>();
    for (StoragePool pool : pools) {
      commands.add(pool.pool(resourceAdapter));
      commands.add(
          AsadminCommand.of("create-connector-resource")
              .option("--poolname", pool.poolName())
              .operand(pool.jndiName()));
      if (pool.hosted()) {
        commands.add(AsadminCommand.of("ping-connection-pool").operand(pool.poolName()));
      }
    }
    return commands;
  }

  public static AsadminCommand deployRar(String name, Path rar) {
    return AsadminCommand.of("deploy")
        .option("--name", name)
        .option("--type", "rar")
        .operand(rar.toString());
  }
}
