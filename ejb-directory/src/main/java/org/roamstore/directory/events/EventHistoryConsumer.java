package org.roamstore.directory.events;

import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;
import jakarta.json.Json;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.directory.failure.Clipped;
import org.roamstore.storage.api.Destinations;

/**
 * Feeds the {@link EventHistory} from the topic, so the timeline shows what the directory announced
 * (committed changes only, of every instance sharing the broker), not what this instance did. A
 * non-durable subscription: the history is in memory and starts empty anyway. One session, so
 * events arrive in the order they were sent. Its adapter (artemis-rar) is named in
 * glassfish-ejb-jar.xml.
 */
@MessageDriven(
    activationConfig = {
      @ActivationConfigProperty(
          propertyName = "destinationType",
          propertyValue = "jakarta.jms.Topic"),
      @ActivationConfigProperty(propertyName = "destination", propertyValue = Destinations.EVENTS),
      @ActivationConfigProperty(
          propertyName = "subscriptionDurability",
          propertyValue = "NonDurable"),
      @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "1")
    })
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class EventHistoryConsumer implements MessageListener {
  private static final Logger LOG = Logger.getLogger(EventHistoryConsumer.class.getName());

  @Inject private EventHistory history;

  @Override
  public void onMessage(Message message) {
    try (JsonReader reader =
        Json.createReader(new StringReader(((TextMessage) message).getText()))) {
      history.add(HistoryEntry.of(reader.readObject()));
    } catch (JMSException | RuntimeException e) {
      // Not thrown: a redelivered malformed event would fail the same way forever.
      LOG.log(
          Level.WARNING,
          "an event was left out of the history: " + Clipped.text(e),
          Clipped.failure(e));
    }
  }
}
