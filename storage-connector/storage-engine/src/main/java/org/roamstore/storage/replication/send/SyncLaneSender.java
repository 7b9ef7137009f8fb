package org.roamstore.storage.replication.send;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.roamstore.storage.replication.DurableSubscriptions;
import org.roamstore.storage.replication.MessagingLoop;
import org.roamstore.storage.replication.batch.Queues;

/**
 * The SYNC lane of the write data send process: a loop of its own, on its own connection, that puts
 * the SYNC batches of started streams on the SYNC write data address, each once for all the
 * secondaries it is for (see Queues and {@link Delivery}). In the send process's loop a SYNC batch
 * waited for the commit of up to 64 ASYNC batches (the broker's journal force of up to 64 MiB) and
 * for a place among them; here nothing but SYNC batches is sent, none persistent and none
 * transacted, so each goes as soon as it closes.
 */
public final class SyncLaneSender extends MessagingLoop {
  private static final int MAX_BATCHES_PER_ROUND = 64;

  private final String self;
  private final Map<String, GroupStream> groups;
  private final SendRounds rounds;
  private final Runnable wakeSendProcess;

  private Session session;
  private MessageProducer producer;
  private final DurableSubscriptions subscriptions;
  private Topic syncWriteData;

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
    this.subscriptions = new DurableSubscriptions(factory, Queues.syncWriteData());
  }

  @Override
  protected void open(Connection connection) throws JMSException {
    session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
    producer = session.createProducer(null);
    producer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
    syncWriteData = session.createTopic(Queues.syncWriteData());
    subscriptions.forget();
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
    for (Delivery d : Delivery.of(batches)) {
      subscriptions.ensure(d.sites());
      producer.send(syncWriteData, d.message(session, self));
    }
    rounds.sent(batches);
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
