package org.roamstore.directory.events;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.roamstore.directory.transaction.AfterCompletion;

/**
 * Publishes directory events on the topic {@value org.roamstore.storage.api.Destinations#EVENTS},
 * exactly for the transactions that commit.
 *
 * <p>An event is written to the directory's own database in the caller's transaction (an outbox
 * row, {@link PendingEvent}) and sent by {@link EventPublisher} right after the commit. Sending it
 * to the broker inside the caller's transaction instead made every login a distributed two-phase
 * commit between the database and the broker, which dominated the login's time (thread dumps under
 * bench/login-bench.py). A rolled-back transaction leaves no row, so nothing is announced; a
 * committed one is sent at least once, also after a crash.
 *
 * <p>Every event is a JSON object with {@code type} ({@link EventType}), {@code at} (ISO-8601
 * instant) and fields of its type; see the README for the list.
 */
@ApplicationScoped
public class DirectoryEvents {
  /** The transaction resource that says its commit already wakes the publisher. */
  private static final Object WAKE_REGISTERED = DirectoryEvents.class.getName() + ".wake";

  @PersistenceContext(unitName = "directory")
  private EntityManager em;

  @Resource private TransactionSynchronizationRegistry transactions;

  @Inject private EventPublisher publisher;

  /**
   * Made once: {@code Json.createObjectBuilder()} looks the provider up again on every call,
   * through the web application's class loader (a scan of its jars), which showed in login
   * profiles.
   */
  private static final JsonBuilderFactory JSON = Json.createBuilderFactory(Map.of());

  /**
   * A builder with {@code id}, {@code type} and {@code at} filled in. The id is unique to the event
   * (a random UUID): events are sent at least once, and a consumer that must not act twice drops an
   * id it has seen.
   */
  public static JsonObjectBuilder event(EventType type) {
    return JSON.createObjectBuilder()
        .add("id", UUID.randomUUID().toString())
        .add("type", type.name())
        .add("at", Instant.now().toString());
  }

  /** Records the event in the current transaction; it is sent once that transaction commits. */
  public void publish(JsonObject event) {
    em.persist(new PendingEvent(event.getString("type"), event.toString()));
    // One wake-up per transaction, however many events it writes (a switch writes two).
    if (transactions.getResource(WAKE_REGISTERED) == null) {
      transactions.putResource(WAKE_REGISTERED, Boolean.TRUE);
      transactions.registerInterposedSynchronization(
          new AfterCompletion(
              status -> {
                if (status == Status.STATUS_COMMITTED) {
                  publisher.wake();
                }
              }));
    }
  }
}
