package org.roamstore.directory.switching;

import java.util.BitSet;
import java.util.Map;
import java.util.Set;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.OutOfSyncRegions;

/**
 * The out-of-sync regions a new primary takes over: what the old primary's secondaries missed (it
 * hands them over when it is fenced), and after a takeover without it, whole volumes for the
 * survivors that are not where the new primary is.
 */
final class ResyncRegions {
  // Regions of a whole-volume resync: the storage engine's out-of-sync regions are 1 MiB.
  static final int RESYNC_REGION_BYTES = 1 << 20;

  private ResyncRegions() {}

  /**
   * After a takeover without the old primary, a survivor that got less far in its stream than the
   * new primary misses writes, one that got further holds writes the new primary lacks (it was
   * taken all the same), and one that cannot say may be either: which regions differ, only the dead
   * primary knew. So each of them is resynced whole from the new primary (it hands over the exact
   * regions only if it comes back). One at exactly the new primary's position is left as it is.
   *
   * @param survivors the members that answered, the new primary among them
   * @param applied what each survivor reported it applied (absent: it cannot say)
   * @param sizes each survivor's volume size in bytes
   */
  static OutOfSyncRegions notWhereTheNewPrimaryIs(
      String newPrimary,
      Set<String> survivors,
      Map<String, CopyGroupStatus.Applied> applied,
      Map<String, Long> sizes) {
    CopyGroupStatus.Applied at = applied.get(newPrimary);
    OutOfSyncRegions whole = OutOfSyncRegions.NONE;
    for (String system : survivors) {
      if (system.equals(newPrimary)) {
        continue;
      }
      CopyGroupStatus.Applied there = applied.get(system);
      // Neither having applied anything of any stream (a volume never written) is the same too.
      boolean same = at == null ? there == null : at.samePositionAs(there);
      if (!same) {
        long size = sizes.getOrDefault(system, 0L);
        BitSet all = new BitSet();
        all.set(0, (int) ((size + RESYNC_REGION_BYTES - 1) / RESYNC_REGION_BYTES));
        whole = whole.with(system, all, RESYNC_REGION_BYTES);
      }
    }
    return whole;
  }

  /** Every region either lists, per secondary (a union: a region missed in one is missed). */
  static OutOfSyncRegions merged(OutOfSyncRegions a, OutOfSyncRegions b) {
    OutOfSyncRegions all = a;
    for (String system : b.secondaries()) {
      all = all.with(system, b.regionsOf(system), b.regionBytes());
    }
    return all;
  }
}
