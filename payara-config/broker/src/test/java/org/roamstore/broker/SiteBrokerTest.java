package org.roamstore.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.ServerSocket;
import java.nio.file.Path;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiteBrokerTest {

  @Test
  void aDurableMessageSurvivesABrokerRestart(@TempDir Path data) throws Exception {
    int port = freePort();
    try (SiteBroker broker = SiteBroker.start(data, "127.0.0.1", port);
        ServerLocator locator = locator(port);
        ClientSessionFactory factory = locator.createSessionFactory();
        ClientSession session = factory.createSession()) {
      session.createQueue(
          QueueConfiguration.of("restart-test")
              .setRoutingType(RoutingType.ANYCAST)
              .setDurable(true));
      ClientMessage message = session.createMessage(true);
      message.getBodyBuffer().writeString("written before the restart");
      session.createProducer("restart-test").send(message);
    }

    int port2 = freePort();
    try (SiteBroker broker = SiteBroker.start(data, "127.0.0.1", port2);
        ServerLocator locator = locator(port2);
        ClientSessionFactory factory = locator.createSessionFactory();
        ClientSession session = factory.createSession()) {
      session.start();
      ClientMessage received = session.createConsumer("restart-test").receive(5_000);
      assertNotNull(received, "the durable message is still queued after the restart");
      assertEquals("written before the restart", received.getBodyBuffer().readString());
    }
  }

  @Test
  void writeDataOfRemoteCopyNeverGoesToADeadLetterQueue(@TempDir Path data) {
    var settings =
        SiteBroker.configuration(data, "127.0.0.1", 61616)
            .getAddressSettings()
            .get("roamstore.replication.#");
    assertNotNull(settings, "remote copy has its own address settings");
    assertEquals(-1, settings.getMaxDeliveryAttempts());
  }

  private static ServerLocator locator(int port) throws Exception {
    return ActiveMQClient.createServerLocator("tcp://127.0.0.1:" + port);
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
