package org.roamstore.storage.replication;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roamstore.storage.replication.RemoteCopySites.MIB;

import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueRequestor;
import jakarta.jms.QueueSession;
import jakarta.jms.Session;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.activemq.artemis.api.core.management.ResourceNames;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.replication.batch.Queues;

/**
 * The primary's acknowledgement queue keeps nothing once an acknowledgement is read. Read but not
 * yet acknowledged to the broker (batched, as a DUPS_OK session does up to a megabyte), they kept
 * the queue's address paging for good once the broker had started paging under an ASYNC backlog,
 * and every SYNC write then waited for its acknowledgement to go through the page files: the SYNC
 * benchmark fell from about 5,000 to 1,700 IOPS with the CPUs idle.
 */
class AcknowledgementQueueTest {
  @TempDir Path root;

  @Test
  void everyAcknowledgementReadIsGoneFromTheBroker() throws Exception {
    try (RemoteCopySites sites =
        RemoteCopySites.withEmbeddedBroker(root, RemoteCopySettings.DEFAULTS)) {
      sites.open("seattle");
      sites.open("portland");
      sites.create(
          RemoteCopySites.group(
              "v1",
              TransferType.SYNC,
              SyncFailurePolicy.MARK_OUT_OF_SYNC,
              "seattle",
              "seattle",
              "portland"),
          4L * MIB);
      byte[] page = new byte[4096];
      try (StorageConnection seattle = sites.unit("seattle").connect()) {
        for (int i = 0; i < 50; i++) {
          page[0] = (byte) i;
          seattle.write("v1", 1, i * 4096L, page, false); // returns once portland acknowledged
        }
      }
      String acks = ResourceNames.QUEUE + Queues.acks("seattle");
      assertTrue(
          attribute(sites, acks, "messagesAdded") >= 50, "every SYNC write was acknowledged");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> attribute(sites, acks, "messageCount") == 0);
    }
  }

  /** A queue's counter, asked of the broker's management address. */
  private static long attribute(RemoteCopySites sites, String resource, String name)
      throws Exception {
    ActiveMQConnectionFactory factory =
        new ActiveMQConnectionFactory(RemoteCopySites.brokerUrl(sites.brokerPort));
    try (QueueConnection connection = factory.createQueueConnection()) {
      QueueSession session = connection.createQueueSession(false, Session.AUTO_ACKNOWLEDGE);
      QueueRequestor requestor =
          new QueueRequestor(session, session.createQueue("activemq.management"));
      connection.start();
      Message request = session.createMessage();
      JMSManagementHelper.putAttribute(request, resource, name);
      Message reply = requestor.request(request);
      if (!JMSManagementHelper.hasOperationSucceeded(reply)) {
        throw new JMSException(
            "management request failed: " + JMSManagementHelper.getResult(reply));
      }
      return ((Number) JMSManagementHelper.getResult(reply)).longValue();
    }
  }
}
