package org.roamstore.directory.events;

import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends committed events ({@link PendingEvent}) to the topic, oldest first, many per transaction.
 * One drain runs at a time in this JVM; a wake-up during a drain makes it look again after it, so
 * no committed event waits for the periodic sweep ({@link EventSweep}), which only catches what a
 * crash or a broker outage left behind.
 *
 * <p>A CDI bean, not an EJB: every commit that wrote events wakes it, and a singleton EJB's
 * container call cost more than the wake-up itself.
 */
@ApplicationScoped
public class EventPublisher {
  private static final Logger LOG = Logger.getLogger(EventPublisher.class.getName());

  @Resource private ManagedExecutorService executor;

  @EJB private EventBatchSender sender;

  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean wokenWhileDraining = new AtomicBoolean();

  /** Called after a commit that wrote events; returns at once. */
  public void wake() {
    wokenWhileDraining.set(true);
    if (draining.compareAndSet(false, true)) {
      executor.execute(this::drain);
    }
  }

  private void drain() {
    try {
      wokenWhileDraining.set(false);
      while (sender.sendOldest()) {
        // a full batch went out: more may be waiting
      }
    } catch (RuntimeException e) {
      // The broker may be down; the rows stay and the sweep (or the next commit) tries again.
      LOG.log(Level.WARNING, "events not sent yet, will retry: " + e.getMessage(), e);
    } finally {
      draining.set(false);
      // Woken during this drain: its events may have committed after the batch was read.
      if (wokenWhileDraining.get()) {
        wake();
      }
    }
  }
}
