package org.roamstore.directory.events;

import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.EJB;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends committed events ({@link PendingEvent}) to the topic, oldest first, many per transaction.
 * One drain runs at a time in this JVM; a wake-up during a drain makes it look again before it
 * stops, so no committed event waits for the periodic sweep, which only catches what a crash or a
 * broker outage left behind.
 */
@Startup
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
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

  @Schedule(second = "*/5", minute = "*", hour = "*", persistent = false)
  void sweep() {
    wake();
  }

  private void drain() {
    try {
      do {
        wokenWhileDraining.set(false);
        while (sender.sendOldest()) {
          // a full batch went out: more may be waiting
        }
      } while (wokenWhileDraining.get());
    } catch (RuntimeException e) {
      // The broker may be down; the rows stay and the sweep tries again.
      LOG.log(Level.WARNING, "events not sent yet, will retry: " + e.getMessage(), e);
    } finally {
      draining.set(false);
    }
  }
}
