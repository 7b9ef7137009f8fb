package org.roamstore.directory.events;

import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSProducer;
import jakarta.jms.Topic;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import java.util.List;
import org.hibernate.LockOptions;
import org.roamstore.directory.messaging.DirectoryQueues;

/**
 * Sends one batch of pending events and deletes their rows in the same (XA) transaction: a batch
 * reaches the topic exactly when its rows go, so a crash in between sends it again rather than
 * never.
 *
 * <p>Several instances may drain one shared directory at once: a batch's rows are locked ({@code
 * FOR UPDATE SKIP LOCKED}), so each instance takes rows no other instance holds, and a row another
 * instance is sending is neither sent twice nor waited for.
 */
@Stateless
public class EventBatchSender {
  static final int BATCH = 200;

  @PersistenceContext(unitName = "directory")
  private EntityManager em;

  @Resource(lookup = DirectoryQueues.CONNECTION_FACTORY)
  private ConnectionFactory connectionFactory;

  /** Sends the oldest batch; returns whether more may be waiting (the batch was full). */
  @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
  public boolean sendOldest() {
    List<PendingEvent> batch =
        em.createNamedQuery(PendingEvent.OLDEST, PendingEvent.class)
            .setMaxResults(BATCH)
            .setLockMode(LockModeType.PESSIMISTIC_WRITE)
            .setHint("jakarta.persistence.lock.timeout", LockOptions.SKIP_LOCKED)
            .getResultList();
    if (batch.isEmpty()) {
      return false;
    }
    try (JMSContext context = connectionFactory.createContext()) {
      Topic topic = context.createTopic(DirectoryEvents.TOPIC);
      JMSProducer producer = context.createProducer();
      for (PendingEvent event : batch) {
        producer.setProperty("type", event.type()).send(topic, event.body());
        em.remove(event);
      }
    }
    return batch.size() == BATCH;
  }
}
