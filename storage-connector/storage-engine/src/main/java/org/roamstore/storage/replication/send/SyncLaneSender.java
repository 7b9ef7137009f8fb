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
import java.util.Collection;
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
 * The SYNC lane of the write data send process: a loop of its own, on its own connection, that puts
 * the SYNC batches of started streams into the secondaries' SYNC queues (see Queues). In the send
 * process's loop a SYNC batch waited for the commit of up to 64 ASYNC batches (the broker's journal
 * force of 64 MiB, most of a second) and for a place among them; here nothing but SYNC batches is
 * sent, none persistent and none transacted, so each goes as soon as it closes.
 */
public final class SyncLaneSender extends MessagingLoop {
  private static final int MAX_BATCHES_PER_ROUND = 64;

  private final String self;
  private final Collection<GroupStream> groups;
  private final ReentrantLock wakeLock = new ReentrantLock();
  private final Condition wakeUp = wakeLock.newCondition();
  private volatile boolean idle;
  private volatile boolean pending;

  private Session session;
  private MessageProducer producer;
  private final Map<String, Queue> queues = new HashMap<>();
  private List<GroupStream.Shipment> inFlight;

  SyncLaneSender(ConnectionFactory factory, String self, Collection<GroupStream> groups) {
    super(factory, "SYNC lane of the write data send process of " + self);
    this.self = self;
    this.groups = groups;
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
    pending = false;
    List<GroupStream.Shipment> batches = new ArrayList<>();
    for (GroupStream g : groups) {
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
    Map<String, GroupStream> byId = new HashMap<>();
    groups.forEach(g -> byId.put(g.groupId(), g));
    Map<GroupStream, List<GroupStream.Shipment>> by = new LinkedHashMap<>();
    for (GroupStream.Shipment s : all) {
      by.computeIfAbsent(byId.get(s.groupId()), g -> new ArrayList<>()).add(s);
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

  /** A batch may be ready (called by the streams, through the send process). */
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

  /** As the send process does: what may not have reached the broker goes again, first. */
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
    for (GroupStream g : groups) {
      g.resendRetained();
    }
  }

  @Override
  protected boolean hasPendingWork() {
    for (GroupStream g : groups) {
      if (g.hasLaneReady()) {
        return true;
      }
    }
    return false;
  }
}
