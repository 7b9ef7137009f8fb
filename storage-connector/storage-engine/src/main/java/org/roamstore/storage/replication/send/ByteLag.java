package org.roamstore.storage.replication.send;

import java.util.ArrayDeque;

/**
 * How far one secondary lags behind its stream in bytes: the payload assigned so far, and per batch
 * closed and not yet applied its cumulative mark, so an acknowledgement of a sequence tells the
 * bytes applied. Part of its {@link SecondaryStream}; called with the group's lock held.
 */
final class ByteLag {
  // Cumulative payload assigned, and per unacknowledged batch its cumulative mark.
  private long assignedBytes;
  private long appliedBytes;
  private final ArrayDeque<long[]> byteMarks = new ArrayDeque<>(); // {lastSequence, assignedBytes}

  /** A new stream. */
  void restart() {
    byteMarks.clear();
    assignedBytes = 0;
    appliedBytes = 0;
  }

  void assigned(long length) {
    assignedBytes += length;
  }

  /** A batch ending at {@code lastSequence} is closed with everything assigned so far. */
  void closed(long lastSequence) {
    byteMarks.add(new long[] {lastSequence, assignedBytes});
  }

  /** The secondary has applied up to {@code applied}, of {@code lastAssigned} queued. */
  void applied(long applied, long lastAssigned) {
    while (!byteMarks.isEmpty() && byteMarks.peek()[0] <= applied) {
      appliedBytes = byteMarks.poll()[1];
    }
    if (applied >= lastAssigned) {
      appliedBytes = assignedBytes;
    }
  }

  long appliedBytes() {
    return appliedBytes;
  }

  long lagBytes() {
    return Math.max(0, assignedBytes - appliedBytes);
  }
}
