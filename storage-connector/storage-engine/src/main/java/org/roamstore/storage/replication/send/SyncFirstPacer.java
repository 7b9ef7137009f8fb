package org.roamstore.storage.replication.send;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * SYNC writes first: paces this unit's ASYNC writes while they make its SYNC writes wait longer.
 * Both kinds share the unit's CPUs, its broker and its disk; a SYNC writer feels every millisecond
 * of its round trip, an ASYNC writer only its throughput. So, as a Linux I/O scheduler favours
 * synchronous requests and DRBD's resync controller yields to application I/O, every {@link
 * #INTERVAL_NANOS} the mean latency of the SYNC writes completed in it is compared with the best
 * interval of the last {@link #WINDOW_NANOS}: above a quarter more, the ASYNC writes' rate is cut
 * by {@link #CUT} (never below {@link #FLOOR_BYTES_PER_SECOND}, so they always go on); at or below
 * it, the rate grows again by a fifth, and once it exceeds what ASYNC writers asked for, pacing
 * ends. An interval without SYNC writes ends pacing at once. Every {@link #PROBE_PERIOD_NANOS}
 * while ASYNC writers ask for more than the floor, {@link #PROBE_INTERVALS} intervals run with them
 * at the floor, so that the best interval is one of SYNC writes alone (about 6 % of the ASYNC rate
 * while SYNC writes go on). An ASYNC writer over its rate waits for its share (at most {@link
 * #MAX_WAIT_NANOS} per write).
 */
final class SyncFirstPacer {
  static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);
  static final double CUT = 0.7;
  static final double GROWTH = 1.2;
  static final double TOLERANCE = 1.25;
  static final double FLOOR_BYTES_PER_SECOND = 4 << 20;
  static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  static final long PROBE_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(5);
  static final int PROBE_INTERVALS = 3;

  /** Sleeps the calling writer; a test records instead. */
  interface Sleeper {
    void sleep(long nanos) throws InterruptedException;
  }

  private final LongSupplier clock;
  private final Sleeper sleeper;

  // The current interval.
  private long intervalStart;
  private long syncWrites;
  private long syncLatencySum;
  private long asyncBytes;
  // The best interval mean of this window and of the previous one.
  private long windowStart;
  private long bestThisWindow = Long.MAX_VALUE;
  private long bestLastWindow = Long.MAX_VALUE;
  // The last probe: a few intervals with ASYNC writes at the floor, and the rate to go back to.
  private long lastProbe;
  private int probeLeft;
  private double rateBeforeProbe;
  // ASYNC bytes per second allowed; infinite while not pacing.
  private double rate = Double.POSITIVE_INFINITY;
  private double tokens;
  private long tokensAt;

  SyncFirstPacer() {
    this(System::nanoTime, TimeUnit.NANOSECONDS::sleep);
  }

  SyncFirstPacer(LongSupplier clock, Sleeper sleeper) {
    this.clock = clock;
    this.sleeper = sleeper;
    long now = clock.getAsLong();
    intervalStart = now;
    windowStart = now;
    lastProbe = now;
  }

  /** A SYNC write completed (every secondary has it) {@code latencyNanos} after it was queued. */
  synchronized void syncDone(long latencyNanos) {
    advance(clock.getAsLong());
    syncWrites++;
    syncLatencySum += latencyNanos;
  }

  /** An ASYNC write of {@code bytes} is about to be queued: waits for its share while pacing. */
  void admitAsync(long bytes) {
    long wait;
    synchronized (this) {
      long now = clock.getAsLong();
      advance(now);
      asyncBytes += bytes;
      if (rate == Double.POSITIVE_INFINITY) {
        return;
      }
      tokens = Math.min(rate / 10, tokens + rate * (now - tokensAt) / 1e9);
      tokensAt = now;
      tokens -= bytes;
      if (tokens >= 0) {
        return;
      }
      wait = Math.min(MAX_WAIT_NANOS, (long) (-tokens / rate * 1e9));
    }
    try {
      sleeper.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the write goes on: it is in the cache already
    }
  }

  /** ASYNC bytes per second allowed now; infinite while not pacing. */
  synchronized double rate() {
    advance(clock.getAsLong());
    return rate;
  }

  private void advance(long now) {
    long elapsed = now - intervalStart;
    if (elapsed < INTERVAL_NANOS) {
      return;
    }
    // Intervals stay on their grid; one that passed without a call had no SYNC write.
    intervalStart += elapsed / INTERVAL_NANOS * INTERVAL_NANOS;
    double seconds = INTERVAL_NANOS / 1e9;
    if (syncWrites == 0 || elapsed >= 2 * INTERVAL_NANOS) {
      rate = Double.POSITIVE_INFINITY; // nothing to favour
      probeLeft = 0;
    } else {
      long mean = syncLatencySum / syncWrites;
      if (now - windowStart >= WINDOW_NANOS) {
        bestLastWindow = bestThisWindow;
        bestThisWindow = Long.MAX_VALUE;
        windowStart = now;
      }
      bestThisWindow = Math.min(bestThisWindow, mean);
      long best = Math.min(bestThisWindow, bestLastWindow);
      double asked = asyncBytes / seconds;
      if (probeLeft > 0) {
        if (--probeLeft == 0) {
          rate = rateBeforeProbe;
        }
      } else if (mean > best * TOLERANCE && asyncBytes > 0) {
        double from = rate == Double.POSITIVE_INFINITY ? asked : rate;
        startPacing(Math.max(FLOOR_BYTES_PER_SECOND, from * CUT), now);
      } else if (rate != Double.POSITIVE_INFINITY) {
        rate *= GROWTH;
        if (rate > Math.max(asked, FLOOR_BYTES_PER_SECOND) * 2) {
          rate = Double.POSITIVE_INFINITY;
        }
      }
      if (probeLeft == 0
          && asked > FLOOR_BYTES_PER_SECOND
          && now - lastProbe >= PROBE_PERIOD_NANOS) {
        // Had ASYNC writes slowed SYNC ones for longer than the window (never paced, or paced
        // too late), the best interval would be a slow one, and that slowness would pass for the
        // norm: now and then SYNC writes are measured with ASYNC ones at the floor.
        lastProbe = now;
        probeLeft = PROBE_INTERVALS;
        rateBeforeProbe = rate;
        startPacing(FLOOR_BYTES_PER_SECOND, now);
      }
    }
    syncWrites = 0;
    syncLatencySum = 0;
    asyncBytes = 0;
  }

  private void startPacing(double newRate, long now) {
    if (rate == Double.POSITIVE_INFINITY) {
      tokens = 0;
      tokensAt = now;
    }
    rate = newRate;
  }
}
