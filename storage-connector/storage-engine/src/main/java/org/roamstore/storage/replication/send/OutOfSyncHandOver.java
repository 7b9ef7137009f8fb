package org.roamstore.storage.replication.send;

import java.io.IOException;
import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.replication.PendingRegions;

/**
 * A change of primary of one copy group: the out-of-sync regions move with it. Hands over what the
 * secondaries miss as this primary is demoted, takes over what they missed at the previous one, and
 * tells what may be missing anywhere. Shares the {@link GroupStream}'s lock and secondaries.
 */
final class OutOfSyncHandOver {
  private final String groupId;
  private final ReentrantLock lock;
  private final Map<String, SecondaryLink> links;
  private final OutOfSyncMap outOfSync;
  private final VerifyRecords verifyRecords;
  private final OutOfSyncMarker marker;
  private final Runnable wakeSender;

  OutOfSyncHandOver(
      String groupId,
      ReentrantLock lock,
      Map<String, SecondaryLink> links,
      OutOfSyncMap outOfSync,
      VerifyRecords verifyRecords,
      OutOfSyncMarker marker,
      Runnable wakeSender) {
    this.groupId = groupId;
    this.lock = lock;
    this.links = links;
    this.outOfSync = outOfSync;
    this.verifyRecords = verifyRecords;
    this.marker = marker;
    this.wakeSender = wakeSender;
  }

  /**
   * What the secondaries miss, to hand to the next primary as this one is demoted. A secondary
   * still resynchronising is marked out of sync first: the regions its resync sent but it has not
   * confirmed are listed again, since once it follows the new primary it refuses this stream.
   */
  OutOfSyncRegions handOver() {
    lock.lock();
    try {
      for (SecondaryLink link : links.values()) {
        if (link.resyncing()) {
          marker.markOutOfSync(link, "the primary moved during its resync");
        }
      }
      Map<String, BitSet> missing = new LinkedHashMap<>();
      for (String s : outOfSync.secondaries()) {
        missing.put(s, outOfSync.regionsOf(s));
      }
      // What a verify found different and did not repair: the next primary resyncs it.
      for (SecondaryLink link : links.values()) {
        BitSet unrepaired = verifyRecords.unrepaired(link.storageSystem);
        if (!unrepaired.isEmpty()) {
          missing.computeIfAbsent(link.storageSystem, s -> new BitSet()).or(unrepaired);
        }
      }
      return new OutOfSyncRegions(OutOfSyncMap.REGION_BYTES, missing);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes over what the previous primary's secondaries missed: each is out of sync from here on,
   * with those regions marked, and resynchronised from this copy when it answers. Saved before
   * returning, so a restart of this unit does not forget it.
   */
  void inherit(OutOfSyncRegions inherited, String why) {
    lock.lock();
    try {
      for (String s : inherited.secondaries()) {
        SecondaryLink link = links.get(s);
        if (link == null) {
          continue; // no longer a member of the group
        }
        marker.markOutOfSync(link, why);
        // Its answer to this marker is what shows it is back and starts the resync.
        link.out().marker();
        BitSet bits = inherited.regionsOf(s);
        long size = inherited.regionBytes();
        for (int r = bits.nextSetBit(0); r >= 0; r = bits.nextSetBit(r + 1)) {
          outOfSync.mark(s, r * size, size);
        }
      }
      outOfSync.save();
    } catch (IOException e) {
      throw new StorageException(
          Reason.IO_ERROR,
          "cannot save the out-of-sync regions inherited by copy group " + groupId + ": " + e,
          e);
    } finally {
      lock.unlock();
    }
    wakeSender.run();
  }

  /**
   * What may not yet be at every one of {@code secondaries}, as this stream knows it; changes
   * nothing. The regions marked out of sync, those a resync has copied that the secondary has not
   * all applied yet, and those a verify found different and nothing repaired. A secondary that went
   * out of sync before applying what was sent to it makes it {@code anywhere} (see {@link
   * SecondaryLink#missesUnknownRegions}).
   */
  PendingRegions pending(Collection<String> secondaries) {
    lock.lock();
    try {
      BitSet regions = new BitSet();
      boolean anywhere = false;
      for (String s : outOfSync.secondaries()) {
        regions.or(outOfSync.regionsOf(s));
      }
      for (String s : secondaries) {
        regions.or(verifyRecords.unrepaired(s));
      }
      for (SecondaryLink link : links.values()) {
        regions.or(link.resyncCopied());
        anywhere |= link.missesUnknownRegions();
      }
      return new PendingRegions(OutOfSyncMap.REGION_BYTES, regions, anywhere);
    } finally {
      lock.unlock();
    }
  }
}
