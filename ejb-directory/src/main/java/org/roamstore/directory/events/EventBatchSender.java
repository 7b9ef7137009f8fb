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
import jakarta.persistence.PersistenceContext;
import java.util.List;
import org.roamstore.directory.messaging.DirectoryQueues;

/**
 * Sends one batch of pending events and deletes their rows in the same (XA) transaction: a batch
 * reaches the topic exactly when its rows go, so a crash in between sends it again rather than
 * never.
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
