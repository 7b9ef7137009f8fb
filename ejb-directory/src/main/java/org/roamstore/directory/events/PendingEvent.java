package org.roamstore.directory.events;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import java.time.Instant;

/**
 * An event written in the transaction that caused it and not yet sent to the topic (an outbox row).
 * It exists if and only if that transaction committed; the publisher deletes it once sent.
 */
@Entity
@NamedQuery(name = PendingEvent.OLDEST, query = "select e from PendingEvent e order by e.id")
public class PendingEvent {
  static final String OLDEST = "PendingEvent.oldest";

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
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
