package org.roamstore.storage.replication.send;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.roamstore.storage.replication.MessagingLoop;
import org.roamstore.storage.replication.batch.Queues;

/**
 * The SYNC half of the write data send process: ships the SYNC batches of streams the secondaries
 * have started to their SYNC queues ({@link Queues#syncWriteData}), not persistent and outside any
 * transaction, on a connection of its own. Beside an ASYNC volume written at full speed the send
 * process spends most of its time waiting for the broker's credits for 1 MiB batches and for the
 * journal force of their commit; SYNC writers, who wait for every batch, must not wait for those.
 * Like the send process it hands what it shipped back to the streams, and after a reconnect (the
 * broker may have lost what was not persistent) sends every retained batch again.
 */
final class SyncSendProcess extends MessagingLoop {
  private static final int MAX_BATCHES_PER_ROUND = 64;

  private final String self;
  private final Map<String, GroupStream> groups;
  private final ReentrantLock wakeLock = new ReentrantLock();
  private final Condition wakeUp = wakeLock.newCondition();
  private volatile boolean idle;
  private volatile boolean pending;

  private Session session;
  private MessageProducer producer;
  private final Map<String, Queue> queues = new HashMap<>();
  private List<GroupStream.Shipment> inFlight;

  SyncSendProcess(ConnectionFactory factory, String self, Map<String, GroupStream> groups) {
    super(factory, "SYNC send process of " + self);
    this.self = self;
    this.groups = groups;
  }

  void wake() {
    pending = true;
    if (idle) {
      wakeLock.lock();
      try {
        wakeUp.signal();
      } finally {
        wakeLock.unlock();
      }
    }
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
    List<GroupStream.Shipment> batches = new ArrayList<>();
    pending = false;
    for (GroupStream g : groups.values()) {
      g.takeReady(batches, MAX_BATCHES_PER_ROUND, true);
    }
    if (batches.isEmpty()) {
      awaitWork();
      return;
    }
    inFlight = batches;
    for (GroupStream.Shipment s : batches) {
      BytesMessage message = session.createBytesMessage();
      s.header(self).writeTo(message);
      message.writeBytes(s.body(), 0, s.bodyLength());
      producer.send(queue(s.storageSystem()), message);
    }
    inFlight = null;
    for (Map.Entry<GroupStream, List<GroupStream.Shipment>> e : byGroup(batches).entrySet()) {
      e.getKey().committed(e.getValue());
    }
  }

  private Map<GroupStream, List<GroupStream.Shipment>> byGroup(List<GroupStream.Shipment> all) {
    Map<GroupStream, List<GroupStream.Shipment>> by = new LinkedHashMap<>();
    for (GroupStream.Shipment s : all) {
      by.computeIfAbsent(groups.get(s.groupId()), g -> new ArrayList<>()).add(s);
    }
    return by;
  }

  private Queue queue(String storageSystem) throws JMSException {
    Queue q = queues.get(storageSystem);
    if (q == null) {
      q = session.createQueue(Queues.syncWriteData(storageSystem));
      queues.put(storageSystem, q);
    }
    return q;
  }

  private void awaitWork() {
    wakeLock.lock();
    try {
      idle = true;
      if (!pending && !stopping()) {
        wakeUp.await(20, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      idle = false;
      wakeLock.unlock();
    }
  }

  @Override
  protected void lost() {
    List<GroupStream.Shipment> unsure = inFlight;
    inFlight = null;
    session = null;
    producer = null;
    if (unsure != null) {
      for (Map.Entry<GroupStream, List<GroupStream.Shipment>> e : byGroup(unsure).entrySet()) {
        e.getKey().returned(e.getValue());
      }
    }
    for (GroupStream g : groups.values()) {
      g.resendRetained();
    }
  }

  @Override
  protected boolean hasPendingWork() {
    for (GroupStream g : groups.values()) {
      if (g.hasUnshippedForSyncQueue()) {
        return true;
      }
    }
    return false;
  }
}
