package org.roamstore.storage.engine;

import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.cache.CachedVolume;
import org.roamstore.storage.replication.WriteDataSender;

/**
 * What passes between an old and a new primary through one copy's role change: the write data the
 * old primary still holds (drained), the regions its secondaries miss (handed over), and the
 * regions its activity log holds hot, which only this copy may have written. Every step runs with
 * the {@link CopyGroupReplica}'s group lock held for writing, so no write is in flight.
 */
final class PrimaryHandOver {
  private static final Logger LOG = Logger.getLogger(PrimaryHandOver.class.getName());

  private final HostedVolume volume;
  private final WriteDataSender sender;

  PrimaryHandOver(HostedVolume volume, WriteDataSender sender) {
    this.volume = volume;
    this.sender = sender;
  }

  /** Refuses to make this copy the primary if it misses bytes the old primary wrote. */
  void checkNothingMissedHere(CopyVolumeGroupInfo next, OutOfSyncRegions inherited) {
    long missed = inherited.bytesOf(storageSystem());
    if (missed > 0) {
      throw new StorageException(
          Reason.INVALID_ARGUMENT,
          "volume "
              + volume.address
              + " cannot become the primary of copy group "
              + next.groupId()
              + ": it misses "
              + missed
              + " bytes written at the old primary while it was out of sync; it must be"
              + " resynchronised first");
    }
  }

  /** Primary to secondary: drain, then hand over what the secondaries (or only this copy) hold. */
  OutOfSyncRegions demote(CopyVolumeGroupInfo current, CopyVolumeGroupInfo next) {
    boolean drained = drainBeforeDemotion(current, next);
    // Kept here too: if the switch is undone this unit is primary again and still knows.
    OutOfSyncRegions handedOver = sender.handOver(current);
    if (drained) {
      volume.cache.flush(); // the copies now agree on everything: nothing stays hot
      volume.activity.clear();
      return handedOver;
    }
    // What only this copy may hold: the new primary resyncs it to here (and elsewhere).
    return handedOver.with(storageSystem(), volume.activity.hot(), volume.activity.regionBytes());
  }

  /**
   * A secondary still hot since a time as primary that ended without a drain hands that over (with
   * what its secondaries missed then) at every definition until it is primary again, so that an
   * answer lost on its way to the current primary is given again.
   */
  OutOfSyncRegions stillHotSinceLastPrimary(CopyVolumeGroupInfo next) {
    BitSet hot = volume.activity.hot();
    if (hot.isEmpty()) {
      return OutOfSyncRegions.NONE;
    }
    return sender.handOver(next).with(storageSystem(), hot, volume.activity.regionBytes());
  }

  /** The new primary takes over what the old one handed over. */
  void inherit(CopyVolumeGroupInfo next, OutOfSyncRegions inherited) {
    sender.inherit(next, inherited);
  }

  /** The primary, told what a returning member hands over: every other member resyncs it. */
  void rejoin(CopyVolumeGroupInfo next, OutOfSyncRegions handedBack) {
    Set<String> others = new TreeSet<>();
    next.secondaries().forEach(m -> others.add(m.address().storageSystem()));
    sender.inherit(next, handedBack.spreadTo(others));
  }

  /**
   * Members added to the group while this copy stays its primary (a copy added online) start empty:
   * every region holding data here (holes and never-written regions are skipped: they read as zeros
   * there too) is marked out of sync for them (saved), so the resync copies it while writes go on,
   * and they count as in sync only once it has. Regions written meanwhile are marked as they are
   * written, as for any secondary out of sync.
   */
  void addMembers(CopyVolumeGroupInfo current, CopyVolumeGroupInfo next) {
    Set<String> added = new TreeSet<>();
    next.secondaries().forEach(m -> added.add(m.address().storageSystem()));
    current.members().forEach(m -> added.remove(m.address().storageSystem()));
    if (added.isEmpty()) {
      sender.joined(next, OutOfSyncRegions.NONE); // members dropped, if any, are no longer sent to
      return;
    }
    BitSet written = writtenRegions();
    OutOfSyncRegions missing = OutOfSyncRegions.NONE;
    for (String site : added) {
      missing = missing.with(site, written, WriteDataSender.RESYNC_REGION_BYTES);
    }
    LOG.info(
        "copy group "
            + next.groupId()
            + ": "
            + added
            + " added at epoch "
            + next.epoch()
            + "; "
            + written.cardinality()
            + " regions holding data here are copied to "
            + (added.size() == 1 ? "it" : "them"));
    sender.joined(next, written.isEmpty() ? OutOfSyncRegions.NONE : missing);
  }

  /**
   * The regions (of {@link WriteDataSender#RESYNC_REGION_BYTES}, not the activity log's larger
   * ones: a volume written here and there would copy several times what it holds) holding any data
   * here.
   */
  private BitSet writtenRegions() {
    long regionBytes = WriteDataSender.RESYNC_REGION_BYTES;
    long size = volume.cache.sizeBytes();
    BitSet regions = new BitSet();
    long pos = 0;
    while (pos < size) {
      List<CachedVolume.Extent> extents = volume.cache.allocation(pos, size - pos, 1024);
      if (extents.isEmpty()) {
        break;
      }
      for (CachedVolume.Extent e : extents) {
        if (!e.hole() && e.length() > 0) {
          regions.set((int) (pos / regionBytes), (int) ((pos + e.length() - 1) / regionBytes) + 1);
        }
        pos += e.length();
      }
    }
    return regions;
  }

  /** Becoming primary: regions hot from an earlier time as primary may hold bytes others lack. */
  void promote(CopyVolumeGroupInfo next) {
    BitSet stale = volume.activity.hot();
    if (!stale.isEmpty() && next.members().size() > 1) {
      sender.inherit(next, everySecondaryMisses(next, stale));
    }
    volume.activity.clear();
  }

  /**
   * After an unclean stop, the hot regions of a volume this unit is primary of may differ between
   * its copies: they are marked out of sync for every secondary (saved) before any write, read or
   * resync starts, and so resynchronised from this copy. A volume this unit holds as a secondary
   * keeps them hot: they are handed to the current primary when the directory defines the group
   * here again ({@link #stillHotSinceLastPrimary}).
   */
  void recoverHotRegions(CopyVolumeGroupInfo group) {
    BitSet left = volume.activity.leftover();
    if (left.isEmpty()) {
      return;
    }
    LOG.warning(
        "volume "
            + volume.address
            + " was not stopped cleanly: "
            + left.cardinality()
            + " region(s) of "
            + volume.activity.regionBytes()
            + " bytes may differ at its secondaries and are resynchronised from here");
    try {
      sender.inherit(group, everySecondaryMisses(group, left));
      volume.activity.forgetLeftover();
    } catch (StorageException e) {
      if (e.reason() != Reason.UNSUPPORTED) {
        throw e;
      }
      LOG.warning("volume " + volume.address + ": no remote copy here to resynchronise them");
    }
  }

  /**
   * Ships what this primary still holds before it becomes a secondary. In an orderly switch the
   * directory has already synchronized the cache, so little is left. After a forced takeover the
   * other members follow a newer epoch and refuse this unit's write data, so the drain cannot
   * finish; the demotion must happen all the same, or this unit would remain a second primary. What
   * it could not ship is what the forced takeover reported as possibly lost.
   */
  private boolean drainBeforeDemotion(CopyVolumeGroupInfo current, CopyVolumeGroupInfo next) {
    try {
      sender.drain(current);
      return true;
    } catch (StorageException e) {
      if (e.reason() != Reason.TIMEOUT) {
        throw e;
      }
      LOG.warning(
          "copy group "
              + current.groupId()
              + ": demoted to secondary at epoch "
              + next.epoch()
              + " (new primary "
              + next.primary().address()
              + ") with write data its secondaries did not take: "
              + e.getMessage());
      return false;
    }
  }

  private OutOfSyncRegions everySecondaryMisses(CopyVolumeGroupInfo group, BitSet regions) {
    OutOfSyncRegions all = OutOfSyncRegions.NONE;
    for (CopyGroupMember secondary : group.secondaries()) {
      all = all.with(secondary.address().storageSystem(), regions, volume.activity.regionBytes());
    }
    return all;
  }

  private String storageSystem() {
    return volume.address.storageSystem();
  }
}
