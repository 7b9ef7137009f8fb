package org.roamstore.storage.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.roamstore.storage.nbd.NbdExport.ReplicationExtent;

class PendingRunsTest {
  private static final long MIB = 1 << 20;

  private static BitSet bits(int... set) {
    BitSet b = new BitSet();
    for (int i : set) {
      b.set(i);
    }
    return b;
  }

  @Test
  void mapsOfDifferentRegionSizesJoinIntoAlternatingRunsWithinTheRange() {
    // 4 MiB regions: [4, 8) MiB; 1 MiB regions: [7, 9) and [12, 13) MiB.
    PendingRuns runs =
        new PendingRuns(
            List.of(
                new PendingRuns.RegionMap(bits(1), 4 * MIB),
                new PendingRuns.RegionMap(bits(7, 8, 12), MIB)));
    assertEquals(
        List.of(
            new ReplicationExtent(3 * MIB, false),
            new ReplicationExtent(5 * MIB, true),
            new ReplicationExtent(3 * MIB, false),
            new ReplicationExtent(MIB, true),
            new ReplicationExtent(3 * MIB, false)),
        runs.runs(MIB, 15 * MIB, 100));
    assertEquals(
        List.of(new ReplicationExtent(MIB, true)),
        runs.runs(5 * MIB, MIB, 100),
        "not past the range");
    assertEquals(
        List.of(new ReplicationExtent(3 * MIB, false), new ReplicationExtent(5 * MIB, true)),
        runs.runs(MIB, 15 * MIB, 2),
        "at most as many runs as asked");
    assertEquals(
        List.of(new ReplicationExtent(16 * MIB, false)),
        new PendingRuns(List.of(new PendingRuns.RegionMap(new BitSet(), MIB)))
            .runs(0, 16 * MIB, 1));
  }
}
