package org.roamstore.directory.switching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.copygroup.FakeStorage;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.StorageException;

/**
 * A site coming back up ({@link SwitchService#bringBack}): portland was primary at epoch 3 when it
 * went away, and seattle took over by force at epoch 4.
 */
class BringBackTest {
  private static final String VOL = Groups.VOL;

  private final FakeStorage seattle = new FakeStorage("seattle");
  private final FakeStorage portland = new FakeStorage("portland");
  private final FakeStorage sf = new FakeStorage("sanfrancisco");
  private final SwitchService service =
      new SwitchService(FakeStorage.sites(seattle, portland, sf), (old, group, next) -> {});
  private final CopyVolumeGroupInfo now = Groups.of("seattle", 4);

  @BeforeEach
  void portlandAwaySinceTheTakeover() {
    for (FakeStorage unit : List.of(seattle, portland, sf)) {
      unit.sizes.put(VOL, 1L << 20);
      unit.groups.put(VOL, now);
    }
    portland.groups.put(VOL, Groups.of("portland", 3));
  }

  @Test
  void theOldPrimaryIsDemotedAndWhatItHeldAloneGoesToTheCurrentPrimary() {
    BitSet hot = new BitSet();
    hot.set(5);
    portland.outOfSync = new OutOfSyncRegions(1 << 20, Map.of("sanfrancisco", hot));

    service.bringBack(now, "portland");

    assertEquals(4, portland.epoch(VOL));
    assertFalse(portland.primaryHere(VOL));
    assertEquals(portland.outOfSync, seattle.inherited.get(VOL), "the current primary resyncs it");
    assertTrue(sf.calls.isEmpty(), "the other members are not asked");
  }

  @Test
  void aMemberThatHandsOverNothingLeavesTheCurrentPrimaryAlone() {
    service.bringBack(now, "sanfrancisco");

    assertEquals(List.of("volume", "defineCopyGroup"), sf.calls);
    assertTrue(seattle.calls.isEmpty());
  }

  @Test
  void aMemberAheadOfTheDirectoryIsLeftAsItIs() {
    portland.groups.put(VOL, Groups.of("portland", 5)); // an undo left it ahead

    service.bringBack(now, "portland");

    assertEquals(List.of("volume"), portland.calls);
    assertEquals(5, portland.epoch(VOL));
  }

  @Test
  void aMemberWithoutItsVolumeFailsAndTheCallerKeepsTheSiteDown() {
    portland.sizes.remove(VOL);
    portland.groups.remove(VOL);

    StorageException e =
        assertThrows(StorageException.class, () -> service.bringBack(now, "portland"));

    assertEquals(StorageException.Reason.UNKNOWN_VOLUME, e.reason());
  }
}
