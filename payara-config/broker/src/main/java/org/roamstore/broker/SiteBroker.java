package org.roamstore.broker;

import java.nio.file.Path;
import java.util.Map;
import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.remoting.impl.netty.NettyAcceptorFactory;
import org.apache.activemq.artemis.core.remoting.impl.netty.TransportConstants;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;

/** An embedded Artemis broker with its journal, bindings and paging under one directory. */
public final class SiteBroker implements AutoCloseable {
  /** More than a secondary applies between two checkpoints (64 MiB) plus its consumer window. */
  static final int MAX_READ_PAGE_BYTES = 96 << 20;

  private final EmbeddedActiveMQ embedded = new EmbeddedActiveMQ();

  private SiteBroker() {}

  /** Starts a persistent broker listening on host:port; returns once it accepts connections. */
  public static SiteBroker start(Path dataDirectory, String host, int port) throws Exception {
    return start(dataDirectory, host, port, null, Map.of());
  }

  /**
   * Starts the broker of one site among several: messages for another site wait here and are
   * forwarded to its broker ({@link SiteBridges}).
   *
   * @param peers every other site's name and its broker's "host:port"
   */
  public static SiteBroker start(
      Path dataDirectory, String host, int port, String site, Map<String, String> peers)
      throws Exception {
    Configuration config = configuration(dataDirectory.toAbsolutePath(), host, port);
    if (!peers.isEmpty()) {
      config.setName("roamstore-" + site);
      SiteBridges.configure(config, site, peers);
    }
    SiteBroker broker = new SiteBroker();
    broker.embedded.setConfiguration(config);
    broker.embedded.start();
    return broker;
  }

  static Configuration configuration(Path data, String host, int port) {
    Configuration config = new ConfigurationImpl();
    config.setName("roamstore-" + host + "-" + port);
    config.setPersistenceEnabled(true);
    // NIO needs no native library; ASYNCIO would need -Djava.library.path to Artemis's .so.
    config.setJournalType(JournalType.NIO);
    // A message larger than the journal buffer (490 KiB by default) becomes a "large message": a
    // file of its own, created, forced and deleted per message. Remote copy's batches are up to
    // 1 MiB plus headers, so the buffer holds two of them. It gathers records for at most 0.5 ms
    // (default 3.3 ms) before it writes and forces them: every commit waits that long.
    config.setJournalBufferSize_NIO(2 << 20);
    config.setJournalBufferTimeout_NIO(500_000);
    config.setJournalDirectory(data.resolve("journal").toString());
    config.setBindingsDirectory(data.resolve("bindings").toString());
    config.setPagingDirectory(data.resolve("paging").toString());
    config.setLargeMessagesDirectory(data.resolve("large-messages").toString());
    config.setNodeManagerLockDirectory(data.toString());
    // Loopback only, no users: a site's broker is reached by its own servers (and bridges later).
    config.setSecurityEnabled(false);
    config.addAcceptorConfiguration(
        new TransportConfiguration(
            NettyAcceptorFactory.class.getName(),
            java.util.Map.of(
                TransportConstants.HOST_PROP_NAME,
                host,
                TransportConstants.PORT_PROP_NAME,
                port,
                // One port for both: Artemis tells the protocols apart by their first bytes.
                TransportConstants.PROTOCOLS_PROP_NAME,
                "CORE,AMQP"),
            "core"));
    // Queues named by the applications come into being on first use; nothing is ever dropped.
    config.addAddressSetting(
        "#",
        new AddressSettings()
            .setAutoCreateQueues(true)
            .setAutoCreateAddresses(true)
            .setAutoDeleteQueues(false)
            .setAutoDeleteAddresses(false)
            .setDeadLetterAddress(org.apache.activemq.artemis.api.core.SimpleString.of("DLQ"))
            .setMaxDeliveryAttempts(10)
            .setRedeliveryDelay(200));
    // Remote copy: a secondary rolls back batches it cannot apply yet and gets them again after a
    // crash; write data must never end in a dead letter queue or expire, however often that is.
    // A secondary acknowledges (commits) what it applied only at a checkpoint, up to 64 MiB and 100
    // ms apart; with a backlog paged to disk, Artemis's default of 20 MiB read from paging and not
    // yet acknowledged stopped the dispatch until each checkpoint (AMQ224127, a drain at half
    // speed).
    config.addAddressSetting(
        "roamstore.replication.#",
        new AddressSettings()
            .setAutoCreateQueues(true)
            .setAutoCreateAddresses(true)
            .setAutoDeleteQueues(false)
            .setAutoDeleteAddresses(false)
            .setMaxDeliveryAttempts(-1)
            .setRedeliveryDelay(100)
            .setMaxReadPageBytes(MAX_READ_PAGE_BYTES)
            .setExpiryAddress(org.apache.activemq.artemis.api.core.SimpleString.of("ExpiryQueue")));
    return config;
  }

  @Override
  public void close() throws Exception {
    embedded.stop();
  }
}
