package org.roamstore.storage.replication.send;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.roamstore.storage.replication.MessagingLoop;
import org.roamstore.storage.replication.batch.Queues;

/**
 * The SYNC lane of the write data send process: a loop of its own, on its own connection, that puts
 * the SYNC batches of started streams into the secondaries' SYNC queues (see Queues). In the send
 * process's loop a SYNC batch waited for the commit of up to 64 ASYNC batches (the broker's journal
 * force of up to 64 MiB) and for a place among them; here nothing but SYNC batches is sent, none
 * persistent and none transacted, so each goes as soon as it closes.
 */
public final class SyncLaneSender extends MessagingLoop {
  private static final int MAX_BATCHES_PER_ROUND = 64;

  private final String self;
  private final Map<String, GroupStream> groups;
  private final SendRounds rounds;
  private final Runnable wakeSendProcess;

  private Session session;
  private MessageProducer producer;
  private final Map<String, Queue> queues = new HashMap<>();

  SyncLaneSender(
      ConnectionFactory factory,
      String self,
      Map<String, GroupStream> groups,
      Runnable wakeSendProcess) {
    super(factory, "SYNC lane of the write data send process of " + self);
    this.self = self;
    this.groups = groups;
    this.rounds = new SendRounds(groups);
    this.wakeSendProcess = wakeSendProcess;
  }

  @Override
  protected void open(Connection connection) throws JMSException {
    session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
    producer = session.createProducer(null);
    producer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
    queues.clear();
  }

  @Override
  protected void step() throws JMSException {
    rounds.beginRound();
    List<Shipment> batches = new ArrayList<>();
    boolean forSendProcess = false;
    for (GroupStream g : groups.values()) {
      forSendProcess |= g.takeReady(batches, MAX_BATCHES_PER_ROUND, true);
    }
    if (forSendProcess) {
      wakeSendProcess.run(); // a stream's start, for the write data queue
    }
    if (batches.isEmpty()) {
      rounds.awaitWork(stopping());
      return;
    }
    rounds.sending(batches);
    for (Shipment s : batches) {
      producer.send(queue(s.storageSystem()), s.message(session, self));
    }
    rounds.sent(batches);
  }

  private Queue queue(String storageSystem) throws JMSException {
    Queue q = queues.get(storageSystem);
    if (q == null) {
      q = session.createQueue(Queues.syncWriteData(storageSystem));
      queues.put(storageSystem, q);
    }
    return q;
  }

  /** A batch of a SYNC group may be ready (the send process passes the streams' wake-ups on). */
  void wake() {
    rounds.wake();
  }

  @Override
  protected void lost() {
    session = null;
    producer = null;
    rounds.lost();
  }

  @Override
  protected boolean hasPendingWork() {
    for (GroupStream g : groups.values()) {
      if (g.hasLaneReady()) {
        return true;
      }
    }
    return false;
  }
}
