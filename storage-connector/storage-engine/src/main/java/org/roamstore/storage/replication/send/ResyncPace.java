package org.roamstore.storage.replication.send;

import java.util.function.LongSupplier;

/**
 * The pace of one secondary's resync: at most a rate in bytes per second (0: no limit), with a
 * burst of a tenth of a second's worth (at least one region), so the copy of a whole volume to a
 * copy added online leaves the primary's users their share. Called with the group's lock held.
 */
final class ResyncPace {
  private final long bytesPerSecond;
  private final long burst;
  private final LongSupplier nanoTime;
  private long allowance;
  private long lastNanos;

  ResyncPace(long bytesPerSecond, long regionBytes, LongSupplier nanoTime) {
    this.bytesPerSecond = bytesPerSecond;
    this.burst = Math.max(regionBytes, bytesPerSecond / 10);
    this.nanoTime = nanoTime;
    this.allowance = burst;
    this.lastNanos = nanoTime.getAsLong();
  }

  /** Whether {@code bytes} may be copied now. */
  boolean mayCopy(long bytes) {
    if (bytesPerSecond <= 0) {
      return true;
    }
    long now = nanoTime.getAsLong();
    long earned = (long) ((now - lastNanos) / 1e9 * bytesPerSecond);
    if (earned > 0) {
      allowance = Math.min(burst, allowance + earned);
      lastNanos = now;
    }
    return allowance >= bytes;
  }

  /** {@code bytes} were copied. */
  void copied(long bytes) {
    allowance -= bytes;
  }
}
