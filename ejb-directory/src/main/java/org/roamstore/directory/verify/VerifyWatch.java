package org.roamstore.directory.verify;

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
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.directory.watch.WatchTimer;

/**
 * Follows running verifies: a single-action timer every {@value #PERIOD_PROPERTY} ms (1000 by
 * default) asks the primary's storage about each run ({@link VerifyService#follow}) and sets the
 * next timer only while some run is left, so storage is asked nothing while no verify runs. A
 * started verify wakes it after its commit; at start it looks once for runs a restart left.
 *
 * <p>Each call to storage is bounded by the storage connector's control timeout, and a primary that
 * stays silent longer than {@value VerifyService#UNANSWERED_PROPERTY} ends the run as interrupted,
 * so a run is never followed forever.
 */
@Startup
@Singleton
@DependsOn("DirectoryStartup")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class VerifyWatch {
  public static final String PERIOD_PROPERTY = "roamstore.verify.watch.periodMillis";
  static final long DEFAULT_PERIOD_MILLIS = 1000;
  private static final Logger LOG = Logger.getLogger(VerifyWatch.class.getName());

  @Resource private TimerService timers;
  @EJB private VerifyService verifies;

  private WatchTimer timer;

  @PostConstruct
  void start() {
    timer = new WatchTimer(timers, "verify watch", PERIOD_PROPERTY, DEFAULT_PERIOD_MILLIS);
    timer.wake();
  }

  @PreDestroy
  void stop() {
    timer.stop();
  }

  /** Makes sure a look at the running verifies comes within one period; returns at once. */
  public void wake() {
    timer.wake();
  }

  @Timeout
  @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
  void tick() {
    timer.fired();
    boolean more = false;
    try {
      for (long id : verifies.running()) {
        // Each run in a transaction of its own: one that fails does not hold up the others.
        try {
          more |= verifies.follow(id);
        } catch (RuntimeException e) {
          more = true;
          LOG.log(Level.WARNING, "verify run " + id + " not followed this time: " + e, e);
        }
      }
    } catch (RuntimeException e) {
      more = true; // the directory could not be read; the runs may still be there
      LOG.log(Level.WARNING, "verify watch could not read the running verifies: " + e, e);
    }
    if (more) {
      wake();
    }
  }
}
