package org.roamstore.storage.replication.send;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.storage.replication.ArtemisSessions;
import org.roamstore.storage.replication.MessagingLoop;
import org.roamstore.storage.replication.batch.BatchFormat;
import org.roamstore.storage.replication.batch.Queues;

/**
 * Reads the acknowledgements the secondaries send to this unit (Fig. 11 step 1105) and moves the
 * streams forward: SYNC writes complete, synchronize-cache requests see their progress.
 * Acknowledgements are not persistent: a lost one is overtaken by the next, which carries the
 * secondary's whole progress.
 *
 * <p>A message listener, not a receive loop: Artemis answers a {@code receiveNoWait} (and a {@code
 * receive} that times out) that finds nothing buffered with a round trip to the broker ("forced
 * delivery"), and a receive loop that drains what is buffered ends every burst of acknowledgements
 * with one, on the broker's CPU and between a SYNC write and its completion.
 *
 * <p>Pre-acknowledged: the broker forgets an acknowledgement as it delivers it. A DUPS_OK session
 * told the broker only after a megabyte of them, so the queue always held some; once the broker had
 * paged under an ASYNC backlog (its memory full), such an address never stopped paging, and every
 * SYNC write's acknowledgement went through the page files (SYNC writes slowed while the CPUs
 * idled). One lost on the way is overtaken by the next, as after a broker restart.
 */
public final class AckReceiveProcess extends MessagingLoop {
  private static final Logger LOG = Logger.getLogger(AckReceiveProcess.class.getName());

  private final String self;
  private final WriteDataSendProcess sender;
  private final Object idle = new Object();

  public AckReceiveProcess(ConnectionFactory factory, String self, WriteDataSendProcess sender) {
    super(factory, "acknowledgement receiver of " + self);
    this.self = self;
    this.sender = sender;
  }

  @Override
  protected void open(Connection connection) throws JMSException {
    Session session = connection.createSession(false, ArtemisSessions.PRE_ACKNOWLEDGE);
    MessageConsumer consumer = session.createConsumer(session.createQueue(Queues.acks(self)));
    consumer.setMessageListener(this::onMessage);
  }

  private void onMessage(Message message) {
    try {
      sender.acknowledged(BatchFormat.Ack.of(message));
    } catch (JMSException | RuntimeException e) {
      LOG.log(Level.WARNING, "ignoring a malformed acknowledgement", e);
    }
  }

  @Override
  protected void step() {
    // The listener does the work; this loop only notices a broken connection or a stop.
    synchronized (idle) {
      try {
        idle.wait(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
