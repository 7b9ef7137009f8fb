package org.roamstore.storage.replication;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A long-running process of remote copy that talks to the broker: connects, runs {@link #step()}
 * until told to stop, and when the broker goes away (restart, network) closes everything, waits a
 * little and connects again. Each loop owns its connection and sessions, so a failure in one never
 * touches another's session (sessions are single-threaded in Jakarta Messaging).
 */
public abstract class MessagingLoop implements Runnable {
  private static final Logger LOG = Logger.getLogger(MessagingLoop.class.getName());
  private static final long RETRY_MILLIS = 500;

  private final ConnectionFactory factory;
  private final String name;
  private final Object pause = new Object();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean stopping;
  private volatile long stopDeadlineNanos;
  private volatile boolean broken;
  private boolean outage;

  protected MessagingLoop(ConnectionFactory factory, String name) {
    this.factory = factory;
    this.name = name;
  }

  /** Creates the sessions, producers and consumers of this loop on a fresh connection. */
  protected abstract void open(Connection connection) throws JMSException;

  /** One bounded round of work (waits at most about 100 ms). */
  protected abstract void step() throws JMSException;

  /** The connection is gone; whatever was sent and not committed must be sent again. */
  protected void lost() {}

  /** Whether work is left that stopping should still try to finish (until the deadline). */
  protected boolean hasPendingWork() {
    return false;
  }

  /** Last words on the live connection before it is closed for good. */
  protected void finish() throws JMSException {}

  protected final boolean stopping() {
    return stopping;
  }

  @Override
  public void run() {
    try {
      while (keepGoing()) {
        Connection connection = null;
        try {
          broken = false;
          connection = factory.createConnection();
          connection.setExceptionListener(e -> broken = true);
          open(connection);
          connection.start();
          if (outage) {
            LOG.info(name + ": connected to the broker again");
            outage = false;
          }
          while (keepGoing()) {
            if (broken) {
              throw new JMSException("the connection to the broker failed");
            }
            step();
          }
          finish();
        } catch (JMSException | RuntimeException e) {
          if (!outage && !stopping) {
            LOG.log(Level.WARNING, name + ": broker unavailable, retrying: " + e, e);
          }
          outage = true;
          lost();
        } finally {
          closeQuietly(connection);
        }
        if (keepGoing()) {
          synchronized (pause) {
            pause.wait(RETRY_MILLIS);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stopped.countDown();
    }
  }

  private boolean keepGoing() {
    if (!stopping) {
      return true;
    }
    return hasPendingWork() && System.nanoTime() - stopDeadlineNanos < 0;
  }

  /**
   * Asks the loop to stop, giving it up to {@code graceMillis} to finish pending work, and waits
   * for it (a little longer than the grace).
   */
  public void stop(long graceMillis) {
    stopDeadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
    stopping = true;
    synchronized (pause) {
      pause.notifyAll();
    }
    try {
      if (!stopped.await(graceMillis + 5_000, TimeUnit.MILLISECONDS)) {
        LOG.warning(name + " did not stop in time");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(Connection connection) {
    if (connection == null) {
      return;
    }
    try {
      connection.close();
    } catch (JMSException | RuntimeException e) {
      LOG.log(Level.FINE, "closing a broker connection", e);
    }
  }
}
