package org.roamstore.storage.replication.send;

import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.roamstore.storage.api.VerifyStatus;
import org.roamstore.storage.api.VerifyStatus.Outcome;

/**
 * One online verify of one secondary, at its primary. Region by region, the primary reads its
 * volume at a point of the stream (no write between its cache and the stream), puts a verify entry
 * at that point of the secondary's stream and hashes what it read; the secondary hashes the same
 * range when it applies the entry, after every write before it, and returns the digest with its
 * acknowledgement. Equal digests: the region is the same at both copies at that point. Writes go on
 * meanwhile. Guarded by the owning {@link GroupStream}'s lock.
 */
final class Verification {
  static final int REGION_BYTES = OutOfSyncMap.REGION_BYTES;
  // Regions asked and not yet compared: bounds the memory and the entries in flight.
  private static final int MAX_PENDING = 32;

  final boolean repair;
  private final long bytesPerSecond;
  private final Instant startedAt = Instant.now();
  private final long startedNanos = System.nanoTime();
  private final long volumeBytes;
  private final int regions;
  private int cursor; // the next region never asked
  private final BitSet askAgain = new BitSet(); // asked, but the answer was lost
  private final Map<Long, Pending> pending = new HashMap<>(); // by offset
  private final BitSet differing = new BitSet();
  private long comparedBytes;
  private long askedBytes;

  private static final class Pending {
    final long sequence;
    final int length;
    byte[] primary;
    byte[] secondary;

    Pending(long sequence, int length) {
      this.sequence = sequence;
      this.length = length;
    }
  }

  Verification(long volumeBytes, long bytesPerSecond, boolean repair) {
    this.volumeBytes = volumeBytes;
    this.bytesPerSecond = bytesPerSecond;
    this.repair = repair;
    this.regions = (int) ((volumeBytes + REGION_BYTES - 1) / REGION_BYTES);
  }

  /** The next region to ask, or -1 if none may be asked now (window, rate, or all asked). */
  int next(long nowNanos) {
    if (pending.size() >= MAX_PENDING) {
      return -1;
    }
    // One region of burst above the rate, so a slow rate still starts at once.
    double allowed = bytesPerSecond * ((nowNanos - startedNanos) / 1e9) + REGION_BYTES;
    if (askedBytes + REGION_BYTES > allowed) {
      return -1;
    }
    int again = askAgain.nextSetBit(0);
    if (again >= 0) {
      return again;
    }
    return cursor < regions ? cursor : -1;
  }

  long offsetOf(int region) {
    return (long) region * REGION_BYTES;
  }

  int lengthOf(int region) {
    return (int) Math.min(REGION_BYTES, volumeBytes - offsetOf(region));
  }

  /** The region's verify entry has {@code sequence} in the secondary's stream. */
  void asked(int region, long sequence) {
    askAgain.clear(region);
    if (region >= cursor) {
      cursor = region + 1;
    }
    pending.put(offsetOf(region), new Pending(sequence, lengthOf(region)));
    askedBytes += lengthOf(region);
  }

  void primaryDigest(long offset, byte[] digest) {
    Pending p = pending.get(offset);
    if (p != null) {
      p.primary = digest;
      compare(offset, p);
    }
  }

  void secondaryDigest(long offset, byte[] digest) {
    Pending p = pending.get(offset);
    if (p != null) {
      p.secondary = digest;
      compare(offset, p);
    }
  }

  private void compare(long offset, Pending p) {
    if (p.primary == null || p.secondary == null) {
      return;
    }
    pending.remove(offset);
    comparedBytes += p.length;
    if (!java.security.MessageDigest.isEqual(p.primary, p.secondary)) {
      differing.set((int) (offset / REGION_BYTES));
    }
  }

  /**
   * The secondary acknowledged up to {@code applied}: the digests of the entries up to there came
   * with that acknowledgement or before, so a region still without one lost it on the way (a broker
   * restart drops acknowledgements) and is asked again.
   */
  void answeredUpTo(long applied) {
    pending
        .entrySet()
        .removeIf(
            e -> {
              Pending p = e.getValue();
              if (p.sequence > applied || p.secondary != null) {
                return false;
              }
              askAgain.set((int) (e.getKey() / REGION_BYTES));
              askedBytes -= p.length;
              return true;
            });
  }

  boolean done() {
    return cursor >= regions && askAgain.isEmpty() && pending.isEmpty();
  }

  BitSet differing() {
    return (BitSet) differing.clone();
  }

  VerifyStatus status(Outcome outcome, String detail) {
    List<Long> offsets = new ArrayList<>();
    for (int r = differing.nextSetBit(0);
        r >= 0 && offsets.size() < VerifyStatus.LISTED;
        r = differing.nextSetBit(r + 1)) {
      offsets.add(offsetOf(r));
    }
    return new VerifyStatus(
        outcome,
        startedAt,
        outcome == Outcome.RUNNING ? null : Instant.now(),
        comparedBytes,
        volumeBytes,
        REGION_BYTES,
        differing.cardinality(),
        offsets,
        repair,
        detail);
  }

  /** How fast it compared, for the log. */
  double mibPerSecond() {
    long nanos = Math.max(1, System.nanoTime() - startedNanos);
    return comparedBytes / (double) (1 << 20) / (nanos / (double) TimeUnit.SECONDS.toNanos(1));
  }
}
