package org.roamstore.directory.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.api.TransferType;

class VirtualVolumeTest {
  private final DataCenter seattle =
      new DataCenter("seattle", "Seattle", new Position(47.6, -122.3), "127.0.0.1", "seattle");
  private final DataCenter portland =
      new DataCenter("portland", "Portland", new Position(45.5, -122.7), "127.0.0.1", "pdx");

  private VirtualVolume volume() {
    VirtualVolume v =
        new VirtualVolume(
            "vabc",
            "disk",
            new DirectoryUser("alice", "hash", Set.of("user")),
            1 << 20,
            TransferType.ASYNC,
            TakeoverPolicy.TAKE_OVER,
            SyncFailurePolicy.FAIL_WRITES,
            Duration.ofSeconds(30));
    v.addRealVolume(seattle);
    v.addRealVolume(portland);
    return v;
  }

  @Test
  void theFirstCopyIsThePrimaryAndTheGroupMirrorsTheDirectory() {
    VirtualVolume v = volume();

    CopyVolumeGroupInfo group = v.copyGroup();

    assertEquals("seattle", v.primary().dataCenter().name());
    assertEquals("seattle/vabc", group.primary().address().toString());
    assertEquals("pdx/vabc", group.secondaries().get(0).address().toString());
    assertEquals(TransferType.ASYNC, group.transferType());
    assertEquals(SyncFailurePolicy.FAIL_WRITES, group.syncFailurePolicy());
    assertEquals(1, group.epoch());
    assertTrue(v.lastSwitchAt().isEmpty());
  }

  @Test
  void aSwitchFlipsBothFlagsAndMovesTheEpochForwardOnly() {
    VirtualVolume v = volume();
    RealVolumeInfo pdx = v.realVolumeAt("portland").orElseThrow();

    assertThrows(IllegalArgumentException.class, () -> v.switchPrimary(pdx, 1, Instant.now()));
    v.switchPrimary(pdx, 4, Instant.EPOCH);

    assertTrue(pdx.isPrimary());
    assertFalse(v.realVolumeAt("seattle").orElseThrow().isPrimary());
    assertEquals(4, v.epoch());
    assertEquals(Instant.EPOCH, v.lastSwitchAt().orElseThrow());
  }

  @Test
  void theEpochOnlyCatchesUp() {
    VirtualVolume v = volume();
    v.catchUpEpoch(7);
    v.catchUpEpoch(3);
    assertEquals(7, v.epoch());
  }

  @Test
  void anAddedCopyIsASecondaryMarkedCopyingUntilInSyncAndOnlySecondariesAreRemoved() {
    VirtualVolume v = volume();
    DataCenter sf =
        new DataCenter("sanfrancisco", "SF", new Position(37.8, -122.4), "127.0.0.1", "sf");

    RealVolumeInfo added = v.addCopy(sf);

    assertTrue(added.isCopying());
    assertFalse(added.isPrimary());
    assertEquals(3, v.copyGroup().members().size());
    assertEquals(1, v.epoch(), "the epoch does not move");
    assertThrows(IllegalArgumentException.class, () -> v.addCopy(sf));
    v.copyInSync(added);
    assertFalse(added.isCopying());
    assertThrows(IllegalArgumentException.class, () -> v.removeCopy(v.primary()));
    v.removeCopy(added);
    assertEquals(2, v.realVolumes().size());
    assertTrue(v.realVolumeAt("sanfrancisco").isEmpty());
  }
}
