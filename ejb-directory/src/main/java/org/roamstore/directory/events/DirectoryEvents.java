package org.roamstore.directory.events;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.time.Instant;
import org.roamstore.directory.messaging.DirectoryQueues;

/**
 * Publishes directory events. The connection factory is the container's XA one, so a send made in a
 * JTA transaction reaches the topic only if that transaction commits.
 *
 * <p>Every event is a JSON object with {@code type} ({@link EventType}), {@code at} (ISO-8601
 * instant) and fields of its type; see the README for the list.
 */
@ApplicationScoped
public class DirectoryEvents {
  /** Address of the topic (a multicast address on the Artemis broker). */
  public static final String TOPIC = "roamstore.events";

  @Resource(lookup = DirectoryQueues.CONNECTION_FACTORY)
  private ConnectionFactory connectionFactory;

  /** A builder with {@code type} and {@code at} filled in. */
  public static JsonObjectBuilder event(EventType type) {
    return Json.createObjectBuilder().add("type", type.name()).add("at", Instant.now().toString());
  }

  public void publish(JsonObject event) {
    try (JMSContext context = connectionFactory.createContext()) {
      context
          .createProducer()
          .setProperty("type", event.getString("type"))
          .send(context.createTopic(TOPIC), event.toString());
    }
  }
}
