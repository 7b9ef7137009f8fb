package org.roamstore.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientConsumer;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientProducer;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.core.config.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker's disk space after an ASYNC backlog has been consumed. */
class BrokerSpaceTest {
  private static final String QUEUE = "roamstore.replication.data.portland";
  private static final int BATCH_BYTES = 1 << 20;

  @Test
  void theJournalShrinksBackOnceABacklogIsConsumed(@TempDir Path data) throws Exception {
    int port = freePort();
    Map<String, Long> settled =
        backlogThenCatchUp(data, SiteBroker.configuration(data, "127.0.0.1", port), port, 320);
    assertTrue(settled.getOrDefault("journal", 0L) > 0, "the journal is measured: " + settled);
  }

  @Test
  void theBoundIsTheOneTheReadmeStates() {
    assertEquals(212L << 20, SiteBroker.SETTLED_DATA_BYTES);
  }

  @Test
  void pagedWriteDataIsDeletedOnceConsumed(@TempDir Path data) throws Exception {
    int port = freePort();
    // A broker whose heap is small: most of the backlog goes to paging instead of memory.
    Configuration config = SiteBroker.configuration(data, "127.0.0.1", port);
    config.setGlobalMaxSize(32 << 20);
    Map<String, Long> settled = backlogThenCatchUp(data, config, port, 160);
    assertTrue(
        settled.getOrDefault("paging", 0L) < 1 << 20,
        "no page file is left once everything is consumed: " + settled);
  }

  /**
   * Sends a backlog of persistent 1 MiB batches, consumes it and awaits the data directory under
   * the bound; returns the sizes it measured last.
   */
  private static Map<String, Long> backlogThenCatchUp(
      Path data, Configuration config, int port, int batches) throws Exception {
    try (SiteBroker broker = SiteBroker.start(config);
        ServerLocator locator = locator(port);
        ClientSessionFactory factory = locator.createSessionFactory()) {
      try (ClientSession session = factory.createSession(false, false)) {
        session.createQueue(
            QueueConfiguration.of(QUEUE).setRoutingType(RoutingType.ANYCAST).setDurable(true));
        // As the primary's send process ships ASYNC write data: persistent batches of 1 MiB,
        // committed a few at a time, while no secondary consumes them.
        ClientProducer producer = session.createProducer(QUEUE);
        byte[] body = new byte[BATCH_BYTES - 1024];
        for (int i = 0; i < batches; i++) {
          body[0] = (byte) i;
          ClientMessage message = session.createMessage(true);
          message.getBodyBuffer().writeBytes(body);
          producer.send(message);
          if (i % 8 == 7) {
            session.commit();
          }
        }
        session.commit();
      }
      Map<String, Long> backlog = sizes(data);
      System.out.println("broker data with a backlog of " + batches + " MiB: " + backlog);

      // The secondary catches up, acknowledging each batch on its own.
      try (ClientSession session = factory.createSession(true, true)) {
        ClientConsumer consumer = session.createConsumer(QUEUE);
        session.start();
        for (int i = 0; i < batches; i++) {
          ClientMessage message = consumer.receive(10_000);
          assertTrue(message != null, "batch " + i + " is delivered");
          message.individualAcknowledge();
        }
        assertEquals(null, consumer.receiveImmediate(), "nothing is left");
      }

      long started = System.nanoTime();
      try {
        await()
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(250))
            .until(() -> total(sizes(data)) <= SiteBroker.SETTLED_DATA_BYTES);
      } finally {
        System.out.printf(
            "broker data after the backlog was consumed (%.1f s later): %s%n",
            (System.nanoTime() - started) / 1e9, sizes(data));
      }
      return sizes(data);
    }
  }

  /**
   * Bytes under each directory of the broker's data directory. The broker deletes journal files
   * while it runs, also between the walk's listing of a directory and its look at a file (the walk
   * then fails with NoSuchFileException): the walk is made again.
   */
  private static Map<String, Long> sizes(Path data) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return walkSizes(data);
      } catch (UncheckedIOException e) {
        if (!(e.getCause() instanceof NoSuchFileException) || attempt == 5) {
          throw e;
        }
      }
    }
  }

  private static Map<String, Long> walkSizes(Path data) throws IOException {
    Map<String, Long> sizes = new TreeMap<>();
    try (Stream<Path> files = Files.walk(data)) {
      files
          .filter(Files::isRegularFile)
          .forEach(
              file -> {
                Path relative = data.relativize(file);
                String top = relative.getNameCount() > 1 ? relative.getName(0).toString() : ".";
                try {
                  sizes.merge(top, Files.size(file), Long::sum);
                } catch (IOException e) {
                  // A journal file the broker deleted between the listing and its size.
                  if (Files.exists(file)) {
                    throw new UncheckedIOException(e);
                  }
                }
              });
    }
    return sizes;
  }

  private static long total(Map<String, Long> sizes) {
    return sizes.values().stream().mapToLong(Long::longValue).sum();
  }

  private static ServerLocator locator(int port) throws Exception {
    // Like the storage engine's client: a 1 MiB batch stays an ordinary message.
    return ActiveMQClient.createServerLocator("tcp://127.0.0.1:" + port)
        .setMinLargeMessageSize(4 << 20)
        .setConsumerWindowSize(8 << 20)
        .setProducerWindowSize(8 << 20);
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
