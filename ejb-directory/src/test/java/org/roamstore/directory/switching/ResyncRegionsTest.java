package org.roamstore.directory.switching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.roamstore.storage.api.CopyGroupStatus.Applied;
import org.roamstore.storage.api.OutOfSyncRegions;

/** The regions a new primary takes over, computed without storage. */
class ResyncRegionsTest {
  private static final int MIB = 1 << 20;
  private static final Set<String> SURVIVORS = Set.of("seattle", "sanfrancisco", "eugene");
  private static final Map<String, Long> SIZES =
      Map.of("seattle", 4L * MIB, "sanfrancisco", 5L * MIB / 2, "eugene", 3L * MIB);

  private static Applied at(long lastWrite, boolean resyncing) {
    return new Applied(3, lastWrite, lastWrite, 1, lastWrite, resyncing);
  }

  @Test
  void aSurvivorAtTheNewPrimarysPositionKeepsItsCopy() {
    Map<String, Applied> applied =
        Map.of("seattle", at(500, false), "sanfrancisco", at(500, false), "eugene", at(500, false));

    OutOfSyncRegions regions =
        ResyncRegions.notWhereTheNewPrimaryIs("seattle", SURVIVORS, applied, SIZES);

    assertTrue(regions.isEmpty(), String.valueOf(regions));
  }

  @Test
  void aSurvivorBehindAheadOrUnableToSayIsResyncedWholeInWholeRegions() {
    Map<String, Applied> applied = new HashMap<>();
    applied.put("seattle", at(500, false));
    applied.put("sanfrancisco", at(501, false)); // ahead: holds what the new primary lacks
    // eugene cannot say

    OutOfSyncRegions regions =
        ResyncRegions.notWhereTheNewPrimaryIs("seattle", SURVIVORS, applied, SIZES);

    assertEquals(Set.of("sanfrancisco", "eugene"), regions.secondaries());
    assertEquals(3L * MIB, regions.bytesOf("sanfrancisco"), "2.5 MiB is three regions");
    assertEquals(3L * MIB, regions.bytesOf("eugene"));
    assertEquals(MIB, regions.regionBytes());
  }

  @Test
  void aSurvivorBeingResyncedIsNotAtTheSamePositionEvenWithTheSameWrite() {
    Map<String, Applied> applied =
        Map.of("seattle", at(500, false), "sanfrancisco", at(500, true), "eugene", at(500, false));

    OutOfSyncRegions regions =
        ResyncRegions.notWhereTheNewPrimaryIs("seattle", SURVIVORS, applied, SIZES);

    assertEquals(Set.of("sanfrancisco"), regions.secondaries());
  }

  @Test
  void whenNeitherAppliedAnythingTheCopiesAreTheSame() {
    OutOfSyncRegions regions =
        ResyncRegions.notWhereTheNewPrimaryIs("seattle", SURVIVORS, Map.of(), SIZES);

    assertTrue(regions.isEmpty(), String.valueOf(regions));
  }

  @Test
  void aNewPrimaryThatCannotSayMakesEverySurvivorThatCanDifferent() {
    OutOfSyncRegions regions =
        ResyncRegions.notWhereTheNewPrimaryIs(
            "seattle", SURVIVORS, Map.of("eugene", at(1, false)), SIZES);

    assertEquals(Set.of("eugene"), regions.secondaries());
  }

  @Test
  void mergedKeepsEveryRegionEitherLists() {
    BitSet a = new BitSet();
    a.set(1);
    BitSet b = new BitSet();
    b.set(4);
    OutOfSyncRegions missed =
        new OutOfSyncRegions(MIB, Map.of("sanfrancisco", a, "eugene", (BitSet) a.clone()));
    OutOfSyncRegions elsewhere = new OutOfSyncRegions(MIB, Map.of("sanfrancisco", b));

    OutOfSyncRegions all = ResyncRegions.merged(missed, elsewhere);

    BitSet both = new BitSet();
    both.set(1);
    both.set(4);
    assertEquals(both, all.regionsOf("sanfrancisco"));
    assertEquals(a, all.regionsOf("eugene"));
    assertEquals(missed, ResyncRegions.merged(missed, OutOfSyncRegions.NONE));
    assertEquals(
        elsewhere.secondaries(),
        ResyncRegions.merged(OutOfSyncRegions.NONE, elsewhere).secondaries());
  }
}
