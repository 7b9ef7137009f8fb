package org.roamstore.directory.events;

import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.List;
import org.roamstore.storage.api.Destinations;

/**
 * Sends a batch of events to the topic in one local (broker-only) transaction, outside any JTA
 * transaction: the caller's database transaction is suspended while it runs, so the broker never
 * joins it and the drain needs no two-phase commit.
 *
 * <p>The connection factory is its own, not the application's {@code jms/roamstore}: the Artemis
 * adapter gives a transacted session outside JTA only when its connection factory allows local
 * transactions, and Payara hands out pooled connections without matching them to the session mode
 * asked for, so a pool used only for transacted sessions never mixes the two. At most one drain
 * runs per JVM ({@link EventPublisher}); the pool is small.
 *
 * <p>The server defines that factory (Payara Micro's post-boot file, a full server's command file:
 * {@code jms-roamstore-events-pool}, NoTransaction, logging in as the site's broker user), not this
 * application: GlassFish 7.0.21 sends a {@code @JMSConnectionFactoryDefinition}'s {@code
 * ${system.property}} user as it stands, and the broker refuses it.
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class EventTopic {
  static final String CONNECTION_FACTORY = "jms/roamstoreEvents";

  /** One event as it goes out: the JMS property {@code type} and the JSON body. */
  public record Outgoing(String type, String body) {}

  @Resource(lookup = CONNECTION_FACTORY)
  private ConnectionFactory connectionFactory;

  /** Sends every event and commits them at the broker at once; throws if the broker did not. */
  public void send(List<Outgoing> events) {
    try (Connection connection = connectionFactory.createConnection();
        Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
        MessageProducer producer =
            session.createProducer(session.createTopic(Destinations.EVENTS))) {
      for (Outgoing event : events) {
        TextMessage message = session.createTextMessage(event.body());
        message.setStringProperty("type", event.type());
        producer.send(message);
      }
      session.commit();
    } catch (JMSException e) {
      throw new JMSRuntimeException(e.getMessage(), e.getErrorCode(), e);
    }
  }
}
