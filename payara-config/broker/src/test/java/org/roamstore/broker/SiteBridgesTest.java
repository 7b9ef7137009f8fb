package org.roamstore.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientConsumer;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.utils.DestinationUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roamstore.storage.api.Destinations;

/**
 * Write data for two peers is stored once at the sending site's broker and reaches each peer's
 * subscription exactly once, naming that peer alone.
 */
class SiteBridgesTest {
  private static final String DATA = Destinations.REPLICATION_DATA;
  private final List<SiteBroker> brokers = new ArrayList<>();

  private Path dir;

  @BeforeEach
  void directory() throws Exception {
    dir =
        Files.createTempDirectory(
            Files.createDirectories(Path.of("target/tmp").toAbsolutePath()), "bridges");
  }

  @AfterEach
  void stop() throws Exception {
    for (SiteBroker b : brokers) {
      b.close();
    }
  }

  @Test
  void aBatchForTwoPeersIsStoredOnceAndReachesEachOnce() throws Exception {
    int seattle = freePort();
    int portland = freePort();
    int sanfrancisco = freePort();
    SiteBroker seattleBroker =
        start(
            "seattle", seattle, Map.of("portland", at(portland), "sanfrancisco", at(sanfrancisco)));
    try (ServerLocator locator = locator(seattle);
        ClientSessionFactory factory = locator.createSessionFactory();
        ClientSession session = factory.createSession()) {
      ClientMessage batch = session.createMessage(true);
      batch.putStringProperty(Destinations.ROUTE, "|portland:1:4|sanfrancisco:7:10|");
      batch.getBodyBuffer().writeString("one batch for both");
      session.createProducer(DATA).send(batch);
    }
    // The peers are down: the batch waits here, once, with a reference in each peer's queue.
    var server = seattleBroker.server();
    assertEquals(1, server.getAddressInfo(SimpleString.of(DATA)).getRoutedMessageCount());
    for (String peer : List.of("portland", "sanfrancisco")) {
      assertEquals(1, server.locateQueue(queue(peer)).getMessageCount(), peer);
    }

    start("portland", portland, Map.of("seattle", at(seattle), "sanfrancisco", at(sanfrancisco)));
    start("sanfrancisco", sanfrancisco, Map.of("seattle", at(seattle), "portland", at(portland)));
    assertReceivedOnce(portland, "portland", "|portland:1:4|");
    assertReceivedOnce(sanfrancisco, "sanfrancisco", "|sanfrancisco:7:10|");
  }

  private void assertReceivedOnce(int port, String site, String route) throws Exception {
    try (ServerLocator locator = locator(port);
        ClientSessionFactory factory = locator.createSessionFactory();
        ClientSession session = factory.createSession()) {
      session.start();
      ClientConsumer consumer = session.createConsumer(queue(site));
      ClientMessage received = consumer.receive(30_000);
      assertNotNull(received, site + " received the batch");
      received.acknowledge();
      assertEquals(
          route, received.getStringProperty(Destinations.ROUTE), "names " + site + " alone");
      assertEquals("one batch for both", received.getBodyBuffer().readString());
      // Had the route still named the other peer, this broker would have forwarded it there too.
      assertNull(consumer.receive(2_000), "nothing else reached " + site);
    }
  }

  private SiteBroker start(String site, int port, Map<String, String> peers) throws Exception {
    SiteBroker broker = SiteBroker.start(dir.resolve(site), "127.0.0.1", port, site, peers);
    brokers.add(broker);
    return broker;
  }

  /** The queue of {@code site}'s subscription, as its storage control unit names it. */
  private static String queue(String site) {
    return DestinationUtil.createQueueNameForSubscription(
            true, null, Destinations.subscription(DATA, site))
        .toString();
  }

  private static String at(int port) {
    return "127.0.0.1:" + port;
  }

  private static ServerLocator locator(int port) throws Exception {
    return ActiveMQClient.createServerLocator("tcp://127.0.0.1:" + port);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
