package org.roamstore.directory.events;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends committed events ({@link PendingEvent}) to the topic, oldest first, many per transaction.
 * One thread drains in this JVM; a wake-up during a drain makes it look again after it, so no
 * committed event waits for the periodic sweep ({@link EventSweep}), which only catches what a
 * crash or a broker outage left behind.
 *
 * <p>A CDI bean, not an EJB: every commit that wrote events wakes it, and a singleton EJB's
 * container call cost more than the wake-up itself. The drain runs on one long-lived thread from
 * the container's thread factory rather than as a task per wake-up: a managed executor captures the
 * caller's context for every task it is given (a class loader resource lookup among it), which
 * showed in login profiles; waking the thread is an unpark.
 */
@ApplicationScoped
public class EventPublisher {
  private static final Logger LOG = Logger.getLogger(EventPublisher.class.getName());

  @Resource private ManagedThreadFactory threads;

  @EJB private EventBatchSender sender;

  private final AtomicBoolean woken = new AtomicBoolean();
  private volatile boolean stopped;
  private volatile Thread drainer;

  /** Called after a commit that wrote events; returns at once. */
  public void wake() {
    woken.set(true);
    Thread t = drainer;
    if (t == null) {
      t = start();
    }
    LockSupport.unpark(t);
  }

  private synchronized Thread start() {
    if (drainer == null) {
      Thread t = threads.newThread(this::run);
      t.setName("roamstore-event-drain");
      t.setDaemon(true);
      drainer = t;
      t.start();
    }
    return drainer;
  }

  private void run() {
    while (!stopped) {
      // Cleared before the drain: events committed during it wake it again.
      if (!woken.getAndSet(false)) {
        LockSupport.park(this);
        continue;
      }
      try {
        while (!stopped && sender.sendOldest()) {
          // a full batch went out: more may be waiting
        }
      } catch (RuntimeException e) {
        // The broker may be down; the rows stay and the sweep (or the next commit) tries again.
        LOG.log(Level.WARNING, "events not sent yet, will retry: " + e.getMessage(), e);
      }
    }
  }

  /**
   * Lets the drain thread end after its current batch. Not interrupted: an interrupt inside the
   * broker client breaks the connection it uses.
   */
  @PreDestroy
  void stop() {
    stopped = true;
    Thread t = drainer;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }
}
