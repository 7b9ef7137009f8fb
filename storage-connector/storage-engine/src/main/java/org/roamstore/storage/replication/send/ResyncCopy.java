package org.roamstore.storage.replication.send;

import java.nio.ByteBuffer;
import java.util.BitSet;
import org.roamstore.storage.replication.ReplicaVolume;

/**
 * The copying of one secondary's resync: its marked regions read from the primary's volume and put
 * into its stream, behind what is queued, with its cursor and counters. Its {@link SecondaryLink}
 * decides when a resync starts and ends. Called with the group's lock held.
 */
final class ResyncCopy {
  private final String storageSystem;
  private final SecondaryLink.Group group;
  private final SecondaryStream out;
  private final ResyncPace pace;

  // Resync: the sequence of the last copied region, and the region count at its start.
  private long lastSequence;
  private int total;
  private int cursor;
  // Regions (OutOfSyncMap.REGION_BYTES) the resync has copied into the stream, no longer marked in
  // the map: until the secondary is in sync again they may still be on their way to it.
  private final BitSet copied = new BitSet();

  ResyncCopy(String storageSystem, SecondaryLink.Group group, SecondaryStream out) {
    this.storageSystem = storageSystem;
    this.group = group;
    this.out = out;
    this.pace =
        new ResyncPace(
            group.settings().resyncBytesPerSecond(), OutOfSyncMap.REGION_BYTES, System::nanoTime);
  }

  /** A resync starts behind what is queued; returns the count of regions it has to copy. */
  int start() {
    total = group.outOfSync().count(storageSystem);
    cursor = 0;
    lastSequence = out.lastAssigned();
    return total;
  }

  /** A new stream: nothing copied is in it. */
  void restart() {
    lastSequence = 0;
  }

  /** Whether the secondary has applied everything the resync has copied so far. */
  boolean appliedAll() {
    return out.applied() >= lastSequence;
  }

  /** The secondary is in sync again: whatever was copied has reached it. */
  void finished() {
    copied.clear();
  }

  /** The region count at the start of the resync (0 if none started). */
  int total() {
    return total;
  }

  /** The regions copied that the secondary may not have applied yet. */
  BitSet copied() {
    return copied;
  }

  /**
   * Copies the next marked regions into the stream, while the batches in flight are few and its
   * pace allows ({@link ResyncPace}); {@code owing} runs after each region put into it.
   */
  void copyRegions(ReplicaVolume volume, Runnable owing) {
    OutOfSyncMap outOfSync = group.outOfSync();
    long window = 16L * group.settings().maxBatchBytes();
    while (out.uncommittedBytes() < window && pace.mayCopy(OutOfSyncMap.REGION_BYTES)) {
      int region = outOfSync.next(storageSystem, cursor);
      if (region < 0 && cursor > 0) {
        cursor = 0;
        region = outOfSync.next(storageSystem, 0);
      }
      if (region < 0) {
        return;
      }
      long offset = (long) region * OutOfSyncMap.REGION_BYTES;
      int length = (int) Math.min(OutOfSyncMap.REGION_BYTES, volume.sizeBytes() - offset);
      outOfSync.clear(storageSystem, region);
      copied.set(region);
      cursor = region + 1;
      if (length <= 0) {
        continue;
      }
      ByteBuffer data = ByteBuffer.allocate(length);
      // Under the lock: a write to this region either is in what we read, or comes after it in
      // the stream, so the secondary ends with the newest bytes either way.
      volume.read(offset, data);
      data.flip();
      lastSequence = out.assign(out.lastWrite(), offset, length, data);
      pace.copied(length);
      owing.run();
    }
  }
}
