package org.roamstore.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.annotation.Resource;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import jakarta.jms.TextMessage;
import jakarta.transaction.UserTransaction;
import java.io.File;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.roamstore.directory.messaging.DirectoryQueues;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.model.Position;
import org.roamstore.storage.api.Destinations;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageConnectionFactory;

/**
 * The runtime on Payara Micro, from inside: the real built WAR with the RARs the post-boot commands
 * deploy, the Artemis resource adapter in front of a real broker, Hibernate on H2.
 */
@ExtendWith(ArquillianExtension.class)
class RuntimeIT {

  @Deployment
  static WebArchive gateway() {
    File war = new File(System.getProperty("roamstore.dist"), "web-gateway.war");
    return ShrinkWrap.createFromZipFile(WebArchive.class, war)
        .addClasses(RuntimeIT.class, PersistenceProbe.class);
  }

  @Resource(lookup = "roamstore/storage/seattle")
  private StorageConnectionFactory seattle;

  @Resource(lookup = DirectoryQueues.CONNECTION_FACTORY)
  private ConnectionFactory jms;

  @Resource private UserTransaction tx;

  @jakarta.ejb.EJB private PersistenceProbe probe;

  @Test
  void storageConnectorAnswersForItsSite() {
    try (StorageConnection connection = seattle.getConnection()) {
      assertEquals("seattle", connection.status().storageSystem());
      assertEquals("seattle", connection.storageSystem());
    }
  }

  @Test
  void anEntityIsPersistedAndReadBackThroughHibernate() throws Exception {
    String name = "it-" + UUID.randomUUID();
    tx.begin();
    probe.persist(new DataCenter(name, "Test site", new Position(1.5, 2.5), "127.0.0.1", name));
    tx.commit();

    DataCenter found = probe.find(name);
    assertNotNull(found, "the committed data center is found again");
    assertEquals(2.5, found.position().longitude());
    assertTrue(
        probe.providerSessionClass().startsWith("org.hibernate."),
        "the provider is Hibernate: " + probe.providerSessionClass());
  }

  @Test
  void onlyCommittedMessagesReachTheDirectorysMessageDrivenBean() throws Exception {
    String replyName = "it.replies." + UUID.randomUUID();
    String committed = sendPing(replyName, true);
    String rolledBack = sendPing(replyName, false);
    String marker = sendPing(replyName, true);

    try (JMSContext context = jms.createContext()) {
      Queue replies = context.createQueue(replyName);
      JMSConsumer consumer = context.createConsumer(replies);
      java.util.Set<String> answered = new java.util.HashSet<>();
      // Both committed requests are answered; the MDB pool may answer them in either order.
      for (int i = 0; i < 2; i++) {
        Message reply = consumer.receive(30_000);
        assertNotNull(reply, "the MDB answers committed requests");
        assertTrue(((TextMessage) reply).getText().contains("\"ok\":true"), "a ping succeeds");
        answered.add(reply.getJMSCorrelationID());
      }
      assertEquals(java.util.Set.of(committed, marker), answered);
      // The rolled-back request was sent before the marker; the marker is answered, so it is not
      // still in flight: it never reached the queue.
      Message late = consumer.receive(2_000);
      assertNull(late, "nothing else arrives, least of all the rolled-back request " + rolledBack);
    }
  }

  /** Sends a ping in a JTA transaction that commits or rolls back; returns its message id. */
  private String sendPing(String replyQueue, boolean commit) throws Exception {
    tx.begin();
    try (JMSContext context = jms.createContext()) {
      TextMessage message = context.createTextMessage("{\"op\":\"ping\"}");
      message.setJMSReplyTo(context.createQueue(replyQueue));
      context.createProducer().send(context.createQueue(Destinations.DIRECTORY_REQUESTS), message);
      String id = message.getJMSMessageID();
      if (commit) {
        tx.commit();
      } else {
        tx.rollback();
      }
      return id;
    }
  }
}
