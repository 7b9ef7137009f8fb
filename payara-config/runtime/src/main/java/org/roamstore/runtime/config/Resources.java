package org.roamstore.runtime.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The resources Roamstore's modules look up, as asadmin commands: the Artemis adapter and the JMS
 * pools behind {@code jms/roamstore} and the directory's events' {@code jms/roamstoreEvents}, the
 * directory's JDBC pool behind {@code jdbc/roamstore}, and one storage pool per data center behind
 * {@code roamstore/storage/<system>}. Payara Micro's post-boot file and a full server's command
 * file are made of these same commands.
 */
public final class Resources {
  public static final String ARTEMIS_ADAPTER = "artemis-rar";
  public static final String STORAGE_ADAPTER = "storage-connector";

  /** The directory's EventTopic looks this up. */
  public static final String EVENTS_CONNECTION_FACTORY = "jms/roamstoreEvents";

  private Resources() {}

  /**
   * The Artemis adapter pointed at this server's broker (logging in as {@code login}'s user, over
   * TLS when it has stores; null: the broker has no users), its RAR deployed, the JMS pools. The
   * adapter's user serves its message-driven beans; the pools need the user too, as their own
   * UserName and Password: the server signs a pool's connections on with those, and without them
   * with an empty user name, which the adapter sends in place of its own (measured: the broker
   * refused "Username: ").
   *
   * <p>The events' pool is the server's too, not defined in the application: GlassFish 7.0.21 does
   * not expand system properties in a {@code @JMSConnectionFactoryDefinition}'s user (the broker
   * refused "Username: ${roamstore.broker.user}"), and here both servers and Payara Micro get the
   * user the same way. It is NoTransaction (what such a definition with {@code transactional =
   * false} gave): the drain asks for a locally transacted session outside JTA, which the adapter's
   * AllowLocalTransactions gives, and the server never enlists it.
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
    AsadminCommand pool = jmsPool("XATransaction", 1, 64, login);
    AsadminCommand events = jmsPool("NoTransaction", 0, 4, login);
    return List.of(
        config.operand(ARTEMIS_ADAPTER),
        deployRar(ARTEMIS_ADAPTER, artemisRar),
        pool.operand("jms-roamstore-pool"),
        AsadminCommand.of("create-connector-resource")
            .option("--poolname", "jms-roamstore-pool")
            .operand("jms/roamstore"),
        events.operand("jms-roamstore-events-pool"),
        AsadminCommand.of("create-connector-resource")
            .option("--poolname", "jms-roamstore-events-pool")
            .operand(EVENTS_CONNECTION_FACTORY));
  }

  /** A pool of the Artemis adapter's connection factory, signing on as {@code login}'s user. */
  private static AsadminCommand jmsPool(
      String transactionSupport, int steadySize, int maxSize, BrokerLogin login) {
    AsadminCommand pool =
        AsadminCommand.of("create-connector-connection-pool")
            .option("--raname", ARTEMIS_ADAPTER)
            .option("--connectiondefinition", "jakarta.jms.ConnectionFactory")
            .option("--transactionsupport", transactionSupport)
            .option("--ping", "false")
            .option("--steadypoolsize", String.valueOf(steadySize))
            .option("--maxpoolsize", String.valueOf(maxSize));
    if (login != null) {
      pool.property("UserName", login.user()).property("Password", login.password());
    }
    return pool;
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
