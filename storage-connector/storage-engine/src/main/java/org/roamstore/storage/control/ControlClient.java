package org.roamstore.storage.control;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;

/**
 * Sends control requests to storage control units through this server's broker and matches the
 * replies, which come back on one reply queue, to the waiting callers by correlation id. Thread
 * safe; one per server and site (two clients on one reply queue would take each other's replies).
 * The broker connection is made on first use and made again after it fails.
 */
public final class ControlClient implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ControlClient.class.getName());

  private final ConnectionFactory factory;
  private final String replyQueue;
  private final String idPrefix = UUID.randomUUID() + "-";
  private final AtomicLong nextId = new AtomicLong();
  private final Map<String, CompletableFuture<Reply>> waiting = new ConcurrentHashMap<>();
  private final Map<String, Queue> requestQueues = new ConcurrentHashMap<>();
  private Connection connection;
  private Session session;
  private MessageProducer producer;
  private Queue replies;
  private boolean closed;

  /** A refusal or a result, taken off the message on the listener's thread. */
  record Reply(byte[] body, StorageException refusal) {}

  /**
   * @param site the site whose broker this server uses; replies to it travel back over the brokers'
   *     bridges. {@code null} for a server that shares its broker with no other server of its site:
   *     a name of its own is made up.
   */
  public ControlClient(ConnectionFactory factory, String site) {
    this.factory = factory;
    this.replyQueue =
        ControlQueues.replies(
            site == null || site.isBlank() ? "server-" + UUID.randomUUID() : site);
  }

  /** The queue this client's answers arrive on. */
  public String replyQueue() {
    return replyQueue;
  }

  /**
   * Sends a request and waits for its reply.
   *
   * @throws StorageException with the unit's own reason when it refused, or {@link
   *     Reason#UNREACHABLE} when no answer came in time
   */
  Reply call(String storageSystem, String op, byte[] body, Duration timeout) {
    String id = idPrefix + nextId.incrementAndGet();
    CompletableFuture<Reply> answer = new CompletableFuture<>();
    waiting.put(id, answer);
    try {
      send(storageSystem, op, body, id, timeout);
      Reply reply = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (reply.refusal() != null) {
        throw reply.refusal();
      }
      return reply;
    } catch (TimeoutException e) {
      throw new StorageException(
          Reason.UNREACHABLE,
          "storage system "
              + storageSystem
              + " did not answer "
              + op
              + " within "
              + timeout.toMillis()
              + " ms (down, or its site is cut off)");
    } catch (JMSException e) {
      reset();
      throw new StorageException(
          Reason.UNREACHABLE,
          "cannot send a request to storage system " + storageSystem + ": " + e.getMessage(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException(Reason.UNREACHABLE, "interrupted waiting for " + storageSystem);
    } catch (ExecutionException e) {
      throw new StorageException(Reason.IO_ERROR, String.valueOf(e.getCause()), e.getCause());
    } finally {
      waiting.remove(id);
    }
  }

  private synchronized void send(
      String storageSystem, String op, byte[] body, String id, Duration timeout)
      throws JMSException {
    if (closed) {
      throw new StorageException(Reason.CLOSED, "the control client is closed");
    }
    if (connection == null) {
      connect();
    }
    BytesMessage request = session.createBytesMessage();
    request.writeBytes(body);
    request.setStringProperty(ControlMessages.OP, op);
    request.setJMSCorrelationID(id);
    request.setJMSReplyTo(replies);
    Queue destination =
        requestQueues.computeIfAbsent(storageSystem, s -> queue(ControlQueues.requests(s)));
    // Expires with the caller's patience: a unit that comes back later must not act on it.
    producer.send(
        destination,
        request,
        DeliveryMode.NON_PERSISTENT,
        Message.DEFAULT_PRIORITY,
        Math.max(1, timeout.toMillis()));
  }

  private Queue queue(String name) {
    try {
      return session.createQueue(name);
    } catch (JMSException e) {
      throw new StorageException(Reason.IO_ERROR, "bad queue name " + name, e);
    }
  }

  private void connect() throws JMSException {
    Connection fresh = factory.createConnection();
    try {
      fresh.setExceptionListener(e -> reset());
      Session listening = fresh.createSession(false, Session.AUTO_ACKNOWLEDGE);
      replies = listening.createQueue(replyQueue);
      listening.createConsumer(replies).setMessageListener(this::onReply);
      session = fresh.createSession(false, Session.AUTO_ACKNOWLEDGE);
      producer = session.createProducer(null);
      fresh.start();
      connection = fresh;
      requestQueues.clear();
    } catch (JMSException | RuntimeException e) {
      closeQuietly(fresh);
      throw e;
    }
  }

  private void onReply(Message message) {
    try {
      CompletableFuture<Reply> caller = waiting.remove(message.getJMSCorrelationID());
      if (caller == null) {
        return; // its caller gave up already
      }
      if (message.getBooleanProperty(ControlMessages.OK)) {
        byte[] body = message.getBody(byte[].class);
        caller.complete(new Reply(body == null ? new byte[0] : body, null));
      } else {
        caller.complete(new Reply(new byte[0], ControlMessages.refusal(message)));
      }
    } catch (JMSException | RuntimeException e) {
      LOG.log(Level.WARNING, "unreadable control reply on " + replyQueue, e);
    }
  }

  /** Drops the broker connection; the next call makes a new one. */
  private synchronized void reset() {
    if (connection != null) {
      LOG.info("control client " + replyQueue + ": broker connection lost, reconnecting on use");
      closeQuietly(connection);
      connection = null;
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (connection != null) {
      closeQuietly(connection);
      connection = null;
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (JMSException | RuntimeException e) {
      LOG.log(Level.FINE, "closing a broker connection", e);
    }
  }
}
