package org.roamstore.directory.watch;

import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The timer of a watch that looks once per period while it has work and not at all otherwise: a
 * single-action timer, set again by the watch only while work is left, and by {@link #wake} when
 * work comes. At most one is pending, however often it is woken.
 */
public final class WatchTimer {
  private final TimerService timers;
  private final String name;
  private final long periodMillis;
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile boolean stopped;

  /**
   * @param periodProperty the system property that sets the period in ms (at least 10)
   */
  public WatchTimer(TimerService timers, String name, String periodProperty, long defaultMillis) {
    this.timers = timers;
    this.name = name;
    this.periodMillis = Math.max(10, Long.getLong(periodProperty, defaultMillis));
  }

  /** Makes sure the watch looks within one period; returns at once. */
  public void wake() {
    if (!stopped && scheduled.compareAndSet(false, true)) {
      timers.createSingleActionTimer(periodMillis, new TimerConfig(name, false));
    }
  }

  /** Called first when the timer fires: a wake from now on sets a new one. */
  public void fired() {
    scheduled.set(false);
  }

  /** No timer is set any more (the application stops). */
  public void stop() {
    stopped = true;
  }
}
