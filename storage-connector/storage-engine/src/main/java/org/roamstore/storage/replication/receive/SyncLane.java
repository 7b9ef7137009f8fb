package org.roamstore.storage.replication.receive;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;
import org.roamstore.storage.replication.ArtemisSessions;
import org.roamstore.storage.replication.DurableSubscriptions;
import org.roamstore.storage.replication.batch.Queues;

/**
 * The consumer of the SYNC write data (this unit's subscription), on a thread of its own (or polled
 * by the loop if the executor has none to give). It acknowledges its own batches to the broker,
 * once a checkpoint of the loop has made them durable: a session is single-threaded. What a batch
 * does is the {@link WriteDataReceiveProcess}'s, under its lock.
 */
final class SyncLane implements Runnable {
  private static final Logger LOG = Logger.getLogger(SyncLane.class.getName());

  /** A round of the lane: the batch it took (null if none came), then its acknowledgements. */
  interface Round {
    void serve(Message m) throws JMSException;
  }

  private final String self;
  private final BooleanSupplier checkpointRunning;
  private final Round round;
  private final Session laneSession;
  private final MessageConsumer laneConsumer;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean stop;
  volatile boolean inline;
  volatile Exception failure;

  SyncLane(Connection connection, String self, BooleanSupplier checkpointRunning, Round round)
      throws JMSException {
    this.self = self;
    this.checkpointRunning = checkpointRunning;
    this.round = round;
    laneSession = connection.createSession(false, ArtemisSessions.INDIVIDUAL_ACKNOWLEDGE);
    laneConsumer =
        DurableSubscriptions.subscribe(
            laneSession, Queues.subscription(Queues.syncWriteData(), self));
  }

  @Override
  public void run() {
    try {
      while (!stop) {
        serve(true);
      }
    } catch (JMSException | RuntimeException e) {
      if (!stop) {
        failure = e; // the loop reconnects
      }
    } finally {
      stopped.countDown();
    }
  }

  /** Takes one SYNC batch (waiting up to 100 ms for one if {@code wait}). */
  void serve(boolean wait) throws JMSException {
    Message m;
    if (wait) {
      m =
          laneConsumer.receive(
              checkpointRunning.getAsBoolean()
                  ? WriteDataReceiveProcess.CHECKPOINT_POLL_MILLIS
                  : 100);
    } else {
      m = laneConsumer.receiveNoWait();
    }
    round.serve(m);
  }

  /** Whether its batches are acknowledged by its own thread (else by the loop's, once it stops). */
  boolean running() {
    return !inline && !stop;
  }

  /** Stops its thread and waits for it (a receive returns within 100 ms). */
  void stopAndWait() {
    stop = true;
    if (inline) {
      return;
    }
    try {
      if (!stopped.await(10, TimeUnit.SECONDS)) {
        LOG.warning("the SYNC lane of " + self + " did not stop in time");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
