package org.roamstore.directory.events;

import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import java.util.List;
import org.hibernate.LockOptions;

/**
 * Sends one batch of pending events, then deletes their rows: the batch is committed at the broker
 * in a local transaction ({@link EventTopic}) while the rows are locked, and the rows are deleted
 * in the database transaction after it. No two-phase commit (one spanning the database and the
 * broker cost a few ms per drain, about an eighth of a login's CPU): a crash or a failed database
 * commit between the two sends the batch again, never loses it. Every event carries a unique {@code
 * id} for consumers to drop such a repeat.
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

  @EJB private EventTopic topic;

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
    // Sent first: if the broker fails, the rows stay (this transaction rolls back) for the next
    // drain.
    topic.send(batch.stream().map(e -> new EventTopic.Outgoing(e.type(), e.body())).toList());
    batch.forEach(em::remove);
    return batch.size() == BATCH;
  }
}
