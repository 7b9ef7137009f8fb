package org.roamstore.storage.control;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.replication.MessagingLoop;

/**
 * Answers control requests for one storage control unit: takes them from the unit's request queue,
 * runs each on the executor (a drain may take seconds and must not hold up a login's export), and
 * sends the outcome to the queue the request names, with the request's correlation id.
 *
 * <p>Requests and replies are not persistent: the asker waits a bounded time and gives up, so a
 * request that outlived its asker (it expired) is dropped unexecuted rather than acted on late.
 */
public final class ControlServer extends MessagingLoop {
  private static final Logger LOG = Logger.getLogger(ControlServer.class.getName());

  private final String storageSystem;
  private final CommandConnection storage;
  private final Executor executor;
  private final Object replyLock = new Object();
  private MessageConsumer requests;
  private Session replySession;
  private MessageProducer replies;

  private ControlServer(
      ConnectionFactory factory,
      String storageSystem,
      CommandConnection storage,
      Executor executor) {
    super(factory, "control requests of " + storageSystem);
    this.storageSystem = storageSystem;
    this.storage = storage;
    this.executor = executor;
  }

  /**
   * Starts answering on {@code storage}'s request queue; runs until {@link #stop(long)}.
   *
   * @param storage a connection from the unit's {@code connect()}
   */
  public static ControlServer start(
      ConnectionFactory factory, CommandConnection storage, Executor executor) {
    ControlServer server = new ControlServer(factory, storage.storageSystem(), storage, executor);
    executor.execute(server);
    return server;
  }

  @Override
  protected void open(Connection connection) throws JMSException {
    Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
    requests = session.createConsumer(session.createQueue(ControlQueues.requests(storageSystem)));
    synchronized (replyLock) {
      replySession = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
      replies = replySession.createProducer(null);
      replies.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
    }
  }

  @Override
  protected void step() throws JMSException {
    Message request = requests.receive(100);
    if (request == null) {
      return;
    }
    try {
      executor.execute(() -> answer(request));
    } catch (RejectedExecutionException e) {
      LOG.warning(storageSystem + ": no thread for a control request, dropped: " + e);
    }
  }

  private void answer(Message request) {
    try {
      Destination replyTo = request.getJMSReplyTo();
      long expiration = request.getJMSExpiration();
      if (replyTo == null || (expiration != 0 && expiration < System.currentTimeMillis())) {
        return; // nobody waits for it any more
      }
      BytesMessage reply;
      synchronized (replyLock) {
        reply = replySession.createBytesMessage();
      }
      reply.setJMSCorrelationID(request.getJMSCorrelationID());
      byte[] result = carryOut(request, reply);
      reply.writeBytes(result);
      long ttl = expiration == 0 ? 0 : Math.max(1, expiration - System.currentTimeMillis());
      synchronized (replyLock) {
        replies.send(replyTo, reply, DeliveryMode.NON_PERSISTENT, Message.DEFAULT_PRIORITY, ttl);
      }
    } catch (JMSException | RuntimeException e) {
      // The asker times out and says the site did not answer; nothing was half-done here.
      LOG.log(Level.WARNING, storageSystem + ": cannot answer a control request: " + e, e);
    }
  }

  /**
   * Decodes the request's command, runs it on the unit's own connection (the same table as a call
   * in this JVM) and returns the encoded result, or marks the reply as a refusal and returns
   * nothing.
   */
  private byte[] carryOut(Message request, Message reply) throws JMSException {
    ControlCommand<?> command;
    try {
      byte[] body = request.getBody(byte[].class);
      command =
          CommandCodec.decode(
              request.getStringProperty(ControlMessages.OP), body == null ? new byte[0] : body);
    } catch (IOException | JMSException | RuntimeException e) { // a body of another kind, too
      ControlMessages.refuse(
          reply,
          StorageException.Reason.INVALID_ARGUMENT,
          "malformed control request for " + storageSystem + ": " + describe(e));
      return new byte[0];
    }
    try {
      byte[] result = CommandCodec.encodeResult(command, storage.execute(command));
      reply.setBooleanProperty(ControlMessages.OK, true);
      return result;
    } catch (StorageException e) {
      ControlMessages.refuse(reply, e.reason(), e.getMessage());
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, storageSystem + ": control request " + command + " failed", e);
      ControlMessages.refuse(reply, StorageException.Reason.IO_ERROR, String.valueOf(e));
    }
    return new byte[0];
  }

  private static String describe(Exception e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
