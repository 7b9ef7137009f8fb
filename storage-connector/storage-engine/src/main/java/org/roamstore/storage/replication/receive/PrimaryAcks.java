package org.roamstore.storage.replication.receive;

import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.roamstore.storage.replication.batch.Queues;

/**
 * The acknowledgements a receive process sends to the primaries (how far their streams are applied
 * and durable): non-persistent, to each primary's acknowledgement queue, through a session of their
 * own. Used under the {@link WriteDataReceiveProcess}'s lock.
 */
final class PrimaryAcks {
  private final Map<String, Queue> ackQueues = new HashMap<>();
  private Session ackSession;
  private MessageProducer ackProducer;

  /** On a new connection of the receive process. */
  void open(Connection connection) throws JMSException {
    ackSession = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
    ackProducer = ackSession.createProducer(null);
    ackProducer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
    ackQueues.clear();
  }

  void send(List<StreamApplier.Acknowledgement> acks) throws JMSException {
    for (StreamApplier.Acknowledgement a : acks) {
      Message ack = ackSession.createMessage();
      a.ack().writeTo(ack);
      ackProducer.send(ackQueue(a.to()), ack);
    }
  }

  private Queue ackQueue(String storageSystem) throws JMSException {
    Queue q = ackQueues.get(storageSystem);
    if (q == null) {
      q = ackSession.createQueue(Queues.acks(storageSystem));
      ackQueues.put(storageSystem, q);
    }
    return q;
  }
}
