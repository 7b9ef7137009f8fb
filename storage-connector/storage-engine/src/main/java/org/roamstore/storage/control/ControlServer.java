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
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.storage.api.StorageConnection;
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
  private final StorageConnection storage;
  private final Executor executor;
  private final Object replyLock = new Object();
  private MessageConsumer requests;
  private Session replySession;
  private MessageProducer replies;

  private ControlServer(
      ConnectionFactory factory,
      String storageSystem,
      StorageConnection storage,
      Executor executor) {
    super(factory, "control requests of " + storageSystem);
    this.storageSystem = storageSystem;
    this.storage = storage;
    this.executor = executor;
  }

  /** Starts answering on {@code storage}'s request queue; runs until {@link #stop(long)}. */
  public static ControlServer start(
      ConnectionFactory factory, StorageConnection storage, Executor executor) {
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
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      try {
        byte[] body = request.getBody(byte[].class);
        ControlOp op = ControlOp.valueOf(request.getStringProperty(ControlMessages.OP));
        execute(
            op,
            new DataInputStream(new ByteArrayInputStream(body == null ? new byte[0] : body)),
            new DataOutputStream(buffer));
        reply.setBooleanProperty(ControlMessages.OK, true);
      } catch (StorageException e) {
        buffer.reset();
        ControlMessages.refuse(reply, e.reason(), e.getMessage());
      } catch (IOException | IllegalArgumentException | NullPointerException e) {
        buffer.reset();
        ControlMessages.refuse(
            reply,
            StorageException.Reason.INVALID_ARGUMENT,
            "malformed control request for " + storageSystem + ": " + e.getMessage());
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, storageSystem + ": control request failed", e);
        buffer.reset();
        ControlMessages.refuse(reply, StorageException.Reason.IO_ERROR, String.valueOf(e));
      }
      reply.writeBytes(buffer.toByteArray());
      long ttl = expiration == 0 ? 0 : Math.max(1, expiration - System.currentTimeMillis());
      synchronized (replyLock) {
        replies.send(replyTo, reply, DeliveryMode.NON_PERSISTENT, Message.DEFAULT_PRIORITY, ttl);
      }
    } catch (JMSException | RuntimeException e) {
      // The asker times out and says the site did not answer; nothing was half-done here.
      LOG.log(Level.WARNING, storageSystem + ": cannot answer a control request: " + e, e);
    }
  }

  /** Reads the arguments of {@code op}, calls the unit, writes the result. */
  private void execute(ControlOp op, DataInputStream in, DataOutputStream out) throws IOException {
    switch (op) {
      case CREATE_VOLUME ->
          ControlCodec.writeVolume(
              out, storage.createVolume(ControlCodec.readString(in), in.readLong()));
      case DELETE_VOLUME -> storage.deleteVolume(ControlCodec.readString(in));
      case VOLUME -> {
        var volume = storage.volume(ControlCodec.readString(in));
        out.writeBoolean(volume.isPresent());
        if (volume.isPresent()) {
          ControlCodec.writeVolume(out, volume.get());
        }
      }
      case VOLUMES -> ControlCodec.writeVolumes(out, storage.volumes());
      case DEFINE_COPY_GROUP ->
          ControlCodec.writeRegions(
              out,
              storage.defineCopyGroup(ControlCodec.readGroup(in), ControlCodec.readRegions(in)));
      case READ ->
          ControlCodec.writeBytes(
              out,
              storage.read(
                  ControlCodec.readString(in), in.readLong(), in.readLong(), in.readInt()));
      case WRITE ->
          storage.write(
              ControlCodec.readString(in),
              in.readLong(),
              in.readLong(),
              ControlCodec.readBytes(in),
              in.readBoolean());
      case FLUSH -> storage.flush(ControlCodec.readString(in));
      case REGISTER_EXPORT ->
          storage.registerExport(
              ControlCodec.readString(in),
              ControlCodec.readString(in),
              in.readLong(),
              ControlCodec.readInstant(in));
      case REVOKE_EXPORT -> storage.revokeExport(ControlCodec.readString(in));
      case STATUS -> ControlCodec.writeStatus(out, storage.status());
      case SYNCHRONIZE_CACHE ->
          ControlCodec.writeSynchronization(
              out,
              storage.synchronizeCache(
                  ControlCodec.readString(in),
                  ControlCodec.readStrings(in),
                  Duration.ofMillis(in.readLong())));
      case COPY_GROUP_STATUS ->
          ControlCodec.writeCopyGroupStatus(
              out, storage.copyGroupStatus(ControlCodec.readString(in)));
      case VERIFY ->
          ControlCodec.writeCopyGroupStatus(
              out, storage.verify(ControlCodec.readString(in), ControlCodec.readVerifyRequest(in)));
    }
  }
}
