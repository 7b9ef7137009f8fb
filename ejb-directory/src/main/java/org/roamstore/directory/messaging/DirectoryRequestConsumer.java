package org.roamstore.directory.messaging;

import jakarta.annotation.Resource;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Destination;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.directory.failure.Clipped;
import org.roamstore.storage.api.Destinations;

/**
 * Answers requests that other systems send to the directory's request queue, replying to their
 * JMSReplyTo with the request's message id as correlation id. Requests are JSON objects with an
 * {@code op}; the reply is JSON with {@code ok} and either a result or an error (see {@link
 * DirectoryRequests}).
 *
 * <p>No container transaction: a refused login rolls its own transaction back, and inside the MDB's
 * transaction that rollback would take the reply and the acknowledgement with it, so the request
 * would be redelivered and never answered. Each operation runs in the transaction of the EJB it
 * calls; the reply is sent after it committed (or was refused).
 *
 * <p>The adapter it listens on (artemis-rar, not the server's own JMS) is named in
 * glassfish-ejb-jar.xml, which Payara and GlassFish both read.
 */
@MessageDriven(
    activationConfig = {
      @ActivationConfigProperty(
          propertyName = "destinationType",
          propertyValue = "jakarta.jms.Queue"),
      @ActivationConfigProperty(
          propertyName = "destination",
          propertyValue = Destinations.DIRECTORY_REQUESTS)
    })
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class DirectoryRequestConsumer implements MessageListener {
  private static final Logger LOG = Logger.getLogger(DirectoryRequestConsumer.class.getName());

  @Resource(lookup = DirectoryQueues.CONNECTION_FACTORY)
  private ConnectionFactory connectionFactory;

  @Inject private DirectoryRequests requests;

  @Override
  public void onMessage(Message message) {
    JsonObject reply;
    try {
      reply = requests.handle(parse(message));
    } catch (RuntimeException | JMSException e) {
      reply =
          DirectoryRequests.error(
              "", "MALFORMED_REQUEST", Clipped.text(e.getMessage()), java.util.Map.of());
    }
    try {
      Destination replyTo = message.getJMSReplyTo();
      if (replyTo == null) {
        LOG.warning("request " + message.getJMSMessageID() + " has no JMSReplyTo; answer dropped");
        return;
      }
      try (JMSContext context = connectionFactory.createContext()) {
        context
            .createProducer()
            .setJMSCorrelationID(message.getJMSMessageID())
            .send(replyTo, reply.toString());
      }
    } catch (JMSException | RuntimeException e) {
      // The request was handled; throwing would redeliver it and do it again.
      LOG.log(
          Level.WARNING,
          "could not answer a directory request: " + Clipped.text(e.getMessage()),
          Clipped.failure(e));
    }
  }

  private static JsonObject parse(Message message) throws JMSException {
    if (!(message instanceof TextMessage text)) {
      throw new IllegalArgumentException("requests are JSON text messages");
    }
    try (JsonReader reader = Json.createReader(new StringReader(text.getText()))) {
      return reader.readObject();
    }
  }
}
