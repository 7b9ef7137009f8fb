package org.roamstore.storage.replication.receive;

import jakarta.jms.Message;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.roamstore.storage.replication.batch.BatchEntry;
import org.roamstore.storage.replication.batch.BatchFormat;

/**
 * The batches a receive process holds back: after a gap, or for a copy group not defined here yet.
 * Never skipped and never acknowledged; retried as others are applied, and let go of for the broker
 * to deliver again if the gap does not close within a few seconds. Used under the {@link
 * WriteDataReceiveProcess}'s lock.
 */
final class HeldBatches {
  private static final long HOLD_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final long MAX_HELD_BYTES = 64L << 20;

  private record Held(
      Message message,
      BatchFormat.Header header,
      List<BatchEntry> entries,
      long bytes,
      long since,
      boolean fromLane) {}

  private final List<Held> held = new ArrayList<>();
  private long heldBytes;

  /** Holds back a batch whose {@code body} (of {@code size} bytes) the next batch overwrites. */
  void hold(
      Message message, BatchFormat.Header header, ByteBuffer body, int size, boolean fromLane) {
    // Held back: its entries must outlive the receive buffer, which the next batch overwrites.
    ByteBuffer own = ByteBuffer.allocate(size).put(body.duplicate()).flip();
    held.add(
        new Held(message, header, BatchFormat.entries(own), size, System.nanoTime(), fromLane));
    heldBytes += size;
  }

  boolean isEmpty() {
    return held.isEmpty();
  }

  /** Offers the held batches again, oldest stream and sequence first, while one is taken. */
  void retry(StreamApplier applier, CheckpointPlan plan) {
    boolean progress = true;
    while (progress && !held.isEmpty()) {
      progress = false;
      held.sort(
          Comparator.comparing((Held x) -> x.header().stream())
              .thenComparingLong(x -> x.header().first()));
      for (Held x : held) {
        if (applier.offer(x.header(), x.entries(), x.fromLane(), plan)) {
          held.remove(x);
          plan.settled(x.message());
          plan.markersOnly(false);
          heldBytes -= x.bytes();
          progress = true;
          break;
        }
      }
    }
  }

  /** Whether the held batches are too many, or the oldest has waited too long for its gap. */
  boolean overdue() {
    return !held.isEmpty()
        && (heldBytes > MAX_HELD_BYTES || System.nanoTime() - held.get(0).since() > HOLD_NANOS);
  }

  /** The copy group of the oldest held batch. */
  String firstGroupId() {
    return held.get(0).header().groupId();
  }

  /**
   * The loop's session was recovered: its held batches are delivered again, the lane's stay held,
   * waiting for their gap again from now.
   */
  void keepLaneOnly() {
    long now = System.nanoTime();
    List<Held> lanes = new ArrayList<>();
    heldBytes = 0;
    for (Held x : held) {
      if (x.fromLane()) {
        lanes.add(new Held(x.message(), x.header(), x.entries(), x.bytes(), now, x.fromLane()));
        heldBytes += x.bytes();
      }
    }
    held.clear();
    held.addAll(lanes);
  }

  void clear() {
    held.clear();
    heldBytes = 0;
  }
}
