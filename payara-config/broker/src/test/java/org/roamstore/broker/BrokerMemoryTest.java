package org.roamstore.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientConsumer;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientProducer;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A broker whose heap is small against the write data waiting in it stays up: two secondaries'
 * write data and SYNC queues, each with a backlog paged to disk, all drained at once the way
 * secondaries do (a transaction committed every 64 batches or 100 ms). A broker that ran out of
 * heap here lingered without answering (seen in a bench's smoke run); this one runs in a JVM of its
 * own with a 256 MiB heap (the bench smoke's) and exits on an out-of-memory error, so the error
 * shows as a dead process.
 */
class BrokerMemoryTest {
  private static final int BATCH_BYTES = 1 << 20;
  private static final int CHECKPOINT_BATCHES = 64;
  private static final String[] DATA_QUEUES = {
    "roamstore.replication.data.portland", "roamstore.replication.data.sanfrancisco"
  };
  private static final String[] SYNC_QUEUES = {
    "roamstore.replication.sync.portland", "roamstore.replication.sync.sanfrancisco"
  };

  private Process broker;

  @AfterEach
  void stopBroker() throws Exception {
    if (broker != null) {
      broker.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aSmallHeapDrainsBacklogsOfEveryQueueAtOnce() throws Exception {
    Path dir = Path.of("target", "broker-memory-test");
    deleteTree(dir);
    Files.createDirectories(dir);
    int port = freePort();
    Path log = dir.resolve("broker.log");
    broker =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                System.getProperty(
                    "surefire.test.class.path", System.getProperty("java.class.path")),
                BrokerMain.class.getName(),
                "--data",
                dir.resolve("data").toString(),
                "--port",
                String.valueOf(port))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    awaitListening(log);

    int dataBatches = 200;
    int syncBatches = 60;
    try (ServerLocator locator = locator(port);
        ClientSessionFactory factory = locator.createSessionFactory()) {
      // Both secondaries away: the backlog of each queue goes to paging beyond the global limit.
      try (ClientSession session = factory.createSession(false, false)) {
        for (String queue : DATA_QUEUES) {
          fill(session, queue, dataBatches, true);
        }
        for (String queue : SYNC_QUEUES) {
          fill(session, queue, syncBatches, false);
        }
      }
      assertTrue(broker.isAlive(), "the broker took the backlog: " + tail(log));

      // Both secondaries back, each consuming its two queues at once.
      ExecutorService consumers = Executors.newFixedThreadPool(4);
      try {
        List<Future<Integer>> drained = new ArrayList<>();
        for (String queue : DATA_QUEUES) {
          drained.add(consumers.submit(() -> drain(factory, queue)));
        }
        for (String queue : SYNC_QUEUES) {
          drained.add(consumers.submit(() -> drain(factory, queue)));
        }
        int total = 0;
        for (Future<Integer> f : drained) {
          total += f.get(5, TimeUnit.MINUTES);
        }
        assertEquals(2 * dataBatches + 2 * syncBatches, total, "every batch is delivered");
      } finally {
        consumers.shutdownNow();
      }
    }
    assertTrue(broker.isAlive(), "the broker is still up after the drain: " + tail(log));
    assertTrue(!Files.readString(log).contains("OutOfMemoryError"), tail(log));
  }

  private static void fill(ClientSession session, String queue, int batches, boolean durable)
      throws Exception {
    session.createQueue(
        QueueConfiguration.of(queue).setRoutingType(RoutingType.ANYCAST).setDurable(true));
    ClientProducer producer = session.createProducer(queue);
    byte[] body = new byte[BATCH_BYTES - 1024];
    for (int i = 0; i < batches; i++) {
      body[0] = (byte) i;
      ClientMessage message = session.createMessage(durable);
      message.getBodyBuffer().writeBytes(body);
      message.putIntProperty("n", i);
      producer.send(message);
      if (i % 8 == 7) {
        session.commit();
      }
    }
    session.commit();
  }

  /** Consumes a queue as a secondary does; returns how many batches came, in order. */
  private static int drain(ClientSessionFactory factory, String queue) throws Exception {
    try (ClientSession session = factory.createSession(false, false)) {
      ClientConsumer consumer = session.createConsumer(queue);
      session.start();
      int n = 0;
      long idleSince = System.nanoTime();
      while (true) {
        // A checkpoint every 64 batches or 100 ms, whichever comes first.
        ClientMessage message = consumer.receive(100);
        if (message == null) {
          session.commit();
          if (System.nanoTime() - idleSince > TimeUnit.SECONDS.toNanos(10)) {
            return n;
          }
          continue;
        }
        idleSince = System.nanoTime();
        assertEquals(n, message.getIntProperty("n"), queue + " delivers in order");
        assertNotNull(message.getBodyBuffer());
        message.acknowledge();
        n++;
        if (n % CHECKPOINT_BATCHES == 0) {
          session.commit();
        }
      }
    }
  }

  private void awaitListening(Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains("listening")) {
        return;
      }
      assertTrue(broker.isAlive(), "the broker started: " + tail(log));
      Thread.sleep(100);
    }
    throw new AssertionError("the broker did not start in 60 s: " + tail(log));
  }

  private static String tail(Path log) throws Exception {
    String text = Files.exists(log) ? Files.readString(log) : "";
    return text.substring(Math.max(0, text.length() - 4000));
  }

  private static ServerLocator locator(int port) throws Exception {
    return ActiveMQClient.createServerLocator("tcp://127.0.0.1:" + port)
        .setMinLargeMessageSize(4 << 20)
        .setConsumerWindowSize(8 << 20)
        .setProducerWindowSize(8 << 20)
        .setCallTimeout(60_000);
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) throws Exception {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }
}
