package org.roamstore.storage.engine;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.roamstore.storage.nbd.NbdExport.ReplicationExtent;

/**
 * The union of region maps of different region sizes (the activity log's, remote copy's), read as
 * alternating runs of a byte range: pending where any map has its region set, clear elsewhere.
 */
final class PendingRuns {
  /** One map: bit {@code r} covers bytes {@code [r * regionBytes, (r + 1) * regionBytes)}. */
  record RegionMap(BitSet regions, long regionBytes) {}

  private final List<RegionMap> maps;

  PendingRuns(List<RegionMap> maps) {
    this.maps = List.copyOf(maps);
  }

  /** At most {@code max} runs from {@code offset}, none past {@code offset + length}. */
  List<ReplicationExtent> runs(long offset, long length, int max) {
    List<ReplicationExtent> runs = new ArrayList<>();
    long end = offset + length;
    long at = offset;
    while (at < end && runs.size() < max) {
      boolean pending = pendingAt(at);
      long next = Math.min(end, pending ? endOfPending(at) : nextPending(at));
      runs.add(new ReplicationExtent(next - at, pending));
      at = next;
    }
    return runs;
  }

  private boolean pendingAt(long at) {
    for (RegionMap m : maps) {
      if (m.regions.get(region(at, m))) {
        return true;
      }
    }
    return false;
  }

  /** Where every map is clear again: regions of one map may end inside another's. */
  private long endOfPending(long at) {
    long end = at;
    boolean moved = true;
    while (moved) {
      moved = false;
      for (RegionMap m : maps) {
        int r = region(end, m);
        if (m.regions.get(r)) {
          end = m.regions.nextClearBit(r) * m.regionBytes;
          moved = true;
        }
      }
    }
    return end;
  }

  private long nextPending(long at) {
    long next = Long.MAX_VALUE;
    for (RegionMap m : maps) {
      int r = m.regions.nextSetBit(region(at, m));
      if (r >= 0) {
        next = Math.min(next, r * m.regionBytes);
      }
    }
    return next;
  }

  private static int region(long at, RegionMap m) {
    return Math.toIntExact(at / m.regionBytes);
  }
}
