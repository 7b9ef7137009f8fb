package org.roamstore.directory.provisioning;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.directory.watch.WatchTimer;

/**
 * Follows the copies under way: a single-action timer every {@value #PERIOD_PROPERTY} ms (1000 by
 * default) has each volume with copy work catch up ({@link ProvisioningService#followCopies}: the
 * verify of a copy in sync started, a verified copy's mark cleared) and finish its moves, and sets
 * the next timer only while work is left, so storage is asked nothing while no copy is made. An
 * added copy wakes it after its commit; at start it looks once for work a restart left. When a
 * volume's copy work ends it says so ({@link CopiesSettled}): a copy too many may go now.
 */
@Startup
@Singleton
@DependsOn("DirectoryStartup")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class CopyWatch {
  public static final String PERIOD_PROPERTY = "roamstore.copies.watch.periodMillis";
  static final long DEFAULT_PERIOD_MILLIS = 1000;
  private static final Logger LOG = Logger.getLogger(CopyWatch.class.getName());

  @Resource private TimerService timers;
  @EJB private ProvisioningService volumes;
  @Inject private Event<CopiesSettled> settled;

  private WatchTimer timer;

  @PostConstruct
  void start() {
    timer = new WatchTimer(timers, "copy watch", PERIOD_PROPERTY, DEFAULT_PERIOD_MILLIS);
    timer.wake();
  }

  @PreDestroy
  void stop() {
    timer.stop();
  }

  /** Makes sure a look at the copies under way comes within one period; returns at once. */
  public void wake() {
    timer.wake();
  }

  @Timeout
  @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
  void tick() {
    timer.fired();
    boolean more = false;
    try {
      for (String name : volumes.namesWithCopyWork()) {
        // Each volume in transactions of its own: one that fails does not hold up the others.
        try {
          volumes.followCopies(name);
          if (volumes.finishMoves(name)) {
            more = true;
          } else {
            settled.fire(new CopiesSettled(name));
          }
        } catch (RuntimeException e) {
          more = true;
          LOG.log(Level.WARNING, "the copies of " + name + " not followed this time: " + e, e);
        }
      }
    } catch (RuntimeException e) {
      more = true; // the directory could not be read; the work may still be there
      LOG.log(Level.WARNING, "copy watch could not read the copies under way: " + e, e);
    }
    if (more) {
      wake();
    }
  }
}
