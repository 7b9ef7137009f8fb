package org.roamstore.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.journal.impl.JournalImpl;
import org.apache.activemq.artemis.core.postoffice.QueueBinding;
import org.apache.activemq.artemis.core.remoting.impl.netty.NettyAcceptorFactory;
import org.apache.activemq.artemis.core.remoting.impl.netty.TransportConstants;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.roamstore.storage.api.Destinations;

/**
 * An embedded Artemis broker with its journal, bindings and paging under one directory.
 *
 * <p>Disk space: while a secondary lags, its write data waits here, in the journal (10 MiB files)
 * up to the broker's global memory limit (half its heap by default) and in paging files beyond it;
 * the journal then grows without a bound of its own. Once no queue holds more than a file's worth
 * of durable messages, the directory comes back within one {@link #TIDY_PERIOD} of the journal
 * going quiet to at most {@link #SETTLED_DATA_BYTES} (212 MiB): the {@link #JOURNAL_POOL_FILES}
 * (20) journal files kept for reuse and the one being written, 10 MiB each, and the bindings
 * journal (2 MiB). Paging files are deleted as their messages are consumed, and write data never
 * becomes a large message file (batches are under the clients' 4 MiB threshold).
 */
public final class SiteBroker implements AutoCloseable {
  /** More than a secondary applies between two checkpoints (64 MiB) plus its consumer window. */
  static final int MAX_READ_PAGE_BYTES = 96 << 20;

  /**
   * The broker's memory budget, both shares of its heap. A message in memory costs the broker about
   * three times its size (read from paging, decoded, encoded for delivery into a consumer window of
   * 8 MiB), and every queue of a site may be read back from paging at once: with Artemis's default
   * (half the heap before paging) and 96 MiB read back per queue, a 256 MiB broker ran out of heap
   * while two secondaries came back. Messages held before an address pages: an eighth of the heap.
   * Read back from paging per queue: a thirty-second, at most {@link #MAX_READ_PAGE_BYTES}.
   */
  static long globalMaxBytes(long heapBytes) {
    return heapBytes / 8;
  }

  static int readPageBytes(long heapBytes) {
    return (int) Math.min(MAX_READ_PAGE_BYTES, Math.max(4 << 20, heapBytes / 32));
  }

  /** Artemis's default journal file size, stated because the bound below is made of it. */
  static final int JOURNAL_FILE_BYTES = 10 << 20;

  /**
   * Journal files kept for reuse once their records are dead; files beyond these are deleted.
   * Artemis keeps every file by default, so a backlog's journal stayed on disk after it was
   * consumed. 20 files cover the journal of a busy site at steady state (per secondary up to a 64
   * MiB checkpoint plus the consumer window not yet acknowledged, two secondaries, and files that
   * still hold one live record), so steady writing reuses files instead of creating and
   * zero-filling new ones.
   */
  static final int JOURNAL_POOL_FILES = 20;

  /**
   * What the data directory comes back under once no queue holds a durable message: the pooled
   * journal files, the file being written, and the bindings journal (two 1 MiB files); paging and
   * large message files are deleted once consumed.
   */
  static final long SETTLED_DATA_BYTES = (JOURNAL_POOL_FILES + 1L) * JOURNAL_FILE_BYTES + (2 << 20);

  /** How often an idle broker checks whether its journal holds files beyond the pool. */
  static final Duration TIDY_PERIOD = Duration.ofSeconds(5);

  private final EmbeddedActiveMQ embedded = new EmbeddedActiveMQ();
  private final ScheduledExecutorService tidier =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "roamstore-broker-journal-tidier");
            thread.setDaemon(true);
            return thread;
          });
  private long lastFileId = -1;
  private PeerWatch peerWatch;

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
    return start(dataDirectory, host, port, site, peers, null, null);
  }

  /**
   * Starts a site's broker with its users ({@link BrokerUsers}: nobody else logs in) and TLS
   * ({@link BrokerTls}: on its acceptor and its bridges); either may be null, for none. A site's
   * broker with users also learns peers that join later ({@link PeerWatch}).
   */
  public static SiteBroker start(
      Path dataDirectory,
      String host,
      int port,
      String site,
      Map<String, String> peers,
      BrokerUsers users,
      BrokerTls tls)
      throws Exception {
    Configuration config = configuration(dataDirectory.toAbsolutePath(), host, port, tls);
    if (!peers.isEmpty()) {
      config.setName("roamstore-" + site);
      SiteBridges.configure(config, site, peers, users, tls);
    }
    SiteBroker broker = new SiteBroker();
    if (users != null) {
      users.configure(config);
      broker.embedded.setSecurityManager(users.securityManager());
    }
    // Only with users: a peer learnt at run time must log in with a password this broker reads.
    boolean watch = site != null && users != null;
    if (watch) {
      PeerWatch.announce(users.secrets(), site, host, port);
    }
    broker.run(config);
    if (watch) {
      broker.peerWatch = PeerWatch.start(broker.server(), site, peers, users, tls);
    }
    return broker;
  }

  /** The running server, for tests that look inside it. */
  public ActiveMQServer server() {
    return embedded.getActiveMQServer();
  }

  static SiteBroker start(Configuration config) throws Exception {
    return new SiteBroker().run(config);
  }

  private SiteBroker run(Configuration config) throws Exception {
    embedded.setConfiguration(config);
    embedded.start();
    tidier.scheduleWithFixedDelay(
        this::tidy, TIDY_PERIOD.toMillis(), TIDY_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /**
   * Gives the space of a consumed backlog back. Artemis reclaims journal files only when it moves
   * to a new file, so after a secondary has caught up (acknowledgements are small records) the
   * files of the backlog stayed until about 10 MiB more had been written; files that still hold one
   * live record (a duplicate id of a bridge, a page counter) stay until a compaction. So when the
   * journal has not moved on for a period, holds more files than the pool, and no queue holds more
   * than a file's worth of durable messages, this compacts it: it rewrites the few live records to
   * a new file and frees all others, so what a busy journal (or a real backlog) holds is never
   * copied.
   */
  private void tidy() {
    try {
      ActiveMQServer server = embedded.getActiveMQServer();
      if (server == null
          || !server.isActive()
          || !(server.getStorageManager().getMessageJournal() instanceof JournalImpl journal)) {
        return;
      }
      long fileId = journal.getCurrentFile() == null ? -1 : journal.getCurrentFile().getFileID();
      boolean quiet = fileId == lastFileId;
      lastFileId = fileId;
      int files =
          journal.getDataFilesCount()
              + journal.getFreeFilesCount()
              + journal.getOpenedFilesCount()
              + 1;
      if (!quiet
          || files <= JOURNAL_POOL_FILES
          || queuedDurableBytes(server) > JOURNAL_FILE_BYTES) {
        return;
      }
      journal.scheduleCompactAndBlock(60);
    } catch (Exception e) {
      // Space only: the next period tries again.
      System.err.println("broker journal tidy-up failed: " + e);
    }
  }

  private static long queuedDurableBytes(ActiveMQServer server) {
    return server
        .getPostOffice()
        .getAllBindings()
        .filter(QueueBinding.class::isInstance)
        .map(binding -> ((QueueBinding) binding).getQueue())
        .filter(Queue::isDurable)
        .mapToLong(Queue::getDurablePersistentSize)
        .sum();
  }

  static Configuration configuration(Path data, String host, int port) {
    return configuration(data, host, port, null);
  }

  static Configuration configuration(Path data, String host, int port, BrokerTls tls) {
    Configuration config = new ConfigurationImpl();
    config.setName("roamstore-" + host + "-" + port);
    config.setPersistenceEnabled(true);
    // NIO needs no native library; ASYNCIO would need -Djava.library.path to Artemis's .so.
    config.setJournalType(JournalType.NIO);
    long heap = Runtime.getRuntime().maxMemory();
    config.setGlobalMaxSize(globalMaxBytes(heap));
    // A message larger than the journal buffer (490 KiB by default) becomes a "large message": a
    // file of its own, created, forced and deleted per message. Remote copy's batches are up to
    // 1 MiB plus headers, so the buffer holds two of them. It gathers records for at most 0.5 ms
    // (default 3.3 ms) before it writes and forces them: every commit waits that long.
    config.setJournalBufferSize_NIO(2 << 20);
    config.setJournalBufferTimeout_NIO(500_000);
    config.setJournalFileSize(JOURNAL_FILE_BYTES);
    config.setJournalPoolFiles(JOURNAL_POOL_FILES);
    config.setJournalDirectory(data.resolve("journal").toString());
    config.setBindingsDirectory(data.resolve("bindings").toString());
    config.setPagingDirectory(data.resolve("paging").toString());
    config.setLargeMessagesDirectory(data.resolve("large-messages").toString());
    config.setNodeManagerLockDirectory(data.toString());
    // Security is off unless the site's users are given (BrokerUsers turns it on).
    config.setSecurityEnabled(false);
    Map<String, Object> acceptor = new HashMap<>();
    acceptor.put(TransportConstants.HOST_PROP_NAME, host);
    acceptor.put(TransportConstants.PORT_PROP_NAME, port);
    // One port for both: Artemis tells the protocols apart by their first bytes.
    acceptor.put(TransportConstants.PROTOCOLS_PROP_NAME, "CORE,AMQP");
    if (tls != null) {
      acceptor.putAll(tls.acceptorParameters());
    }
    config.addAcceptorConfiguration(
        new TransportConfiguration(NettyAcceptorFactory.class.getName(), acceptor, "core"));
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
        Destinations.REPLICATION_MATCH,
        new AddressSettings()
            .setAutoCreateQueues(true)
            .setAutoCreateAddresses(true)
            .setAutoDeleteQueues(false)
            .setAutoDeleteAddresses(false)
            .setMaxDeliveryAttempts(-1)
            .setRedeliveryDelay(100)
            .setMaxReadPageBytes(readPageBytes(heap))
            .setExpiryAddress(org.apache.activemq.artemis.api.core.SimpleString.of("ExpiryQueue")));
    return config;
  }

  @Override
  public void close() throws Exception {
    if (peerWatch != null) {
      peerWatch.close();
    }
    tidier.shutdownNow();
    tidier.awaitTermination(70, TimeUnit.SECONDS);
    embedded.stop();
  }
}
