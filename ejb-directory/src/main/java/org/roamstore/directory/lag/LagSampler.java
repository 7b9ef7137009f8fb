package org.roamstore.directory.lag;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.directory.access.AccessService;

/**
 * Samples every secondary's lag every {@link LagHistory#INTERVAL} (5 s), whether or not anybody
 * watches, so the chart of the last 15 minutes is there when an operator opens the page. It reads
 * the same status as the page does ({@link AccessService#status()}); announces series that began or
 * ended, for the metrics to follow.
 */
@Startup
@Singleton
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class LagSampler {
  private static final Logger LOG = Logger.getLogger(LagSampler.class.getName());

  @EJB private AccessService access;
  @Inject private LagHistory history;
  @Inject private Event<LagHistory.Changes> changes;
  @Resource private TimerService timers;

  @PostConstruct
  void start() {
    long every = LagHistory.INTERVAL.toMillis();
    timers.createIntervalTimer(every, every, new TimerConfig(null, false));
  }

  @Timeout
  void sample() {
    try {
      LagHistory.Changes changed = history.record(access.status());
      if (!changed.began().isEmpty() || !changed.ended().isEmpty()) {
        changes.fire(changed);
      }
    } catch (RuntimeException e) {
      // The directory's database may be busy or restarting; the chart shows the gap.
      LOG.log(Level.FINE, "lag not sampled: " + e, e);
    }
  }
}
