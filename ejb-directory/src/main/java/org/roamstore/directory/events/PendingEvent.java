package org.roamstore.directory.events;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.SequenceGenerator;
import java.time.Instant;

/**
 * An event written in the transaction that caused it and not yet sent to the topic (an outbox row).
 * It exists if and only if that transaction committed; the publisher deletes it once sent.
 */
@Entity
@NamedQuery(
    name = PendingEvent.OLDEST,
    query = "select e from PendingEvent e order by e.createdAt, e.id")
public class PendingEvent {
  static final String OLDEST = "PendingEvent.oldest";

  /**
   * From a sequence that hands out ids in blocks, not an IDENTITY column: an IDENTITY insert runs
   * at persist, one statement per event, and Hibernate then fails to close it at the commit (H2
   * logs "already closed" per row). A sequence lets the login's inserts go in one JDBC batch at the
   * flush. Blocks make ids of two instances interleave, so the outbox is read in creation order.
   */
  @Id
  @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "PendingEvent_SEQ")
  @SequenceGenerator(name = "PendingEvent_SEQ", allocationSize = 50)
  private Long id;

  @Column(nullable = false, length = 64)
  private String type;

  @Column(nullable = false, length = 8000)
  private String body;

  @Column(nullable = false)
  private Instant createdAt;

  protected PendingEvent() {}

  PendingEvent(String type, String body) {
    this.type = type;
    this.body = body;
    this.createdAt = Instant.now();
  }

  String type() {
    return type;
  }

  String body() {
    return body;
  }
}
