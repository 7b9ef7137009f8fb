package org.roamstore.storage.replication;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roamstore.storage.replication.RemoteCopySites.MIB;
import static org.roamstore.storage.replication.RemoteCopySites.secondary;

import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.api.CopyGroupStatus.State;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.api.TransferType;

/**
 * The paths that carry the activity log's hot regions between members, each on its own: a demotion
 * that could not drain hands them over under the unit's own name (and again at every definition
 * while it stays secondary), the primary told them at its own epoch resyncs them to every member,
 * and a promotion resyncs what was still hot from an earlier time as primary.
 */
@Timeout(120)
class ActivityHandOverTest {
  private static final String[] SITES = {"seattle", "portland", "sanfrancisco"};
  private static final RemoteCopySettings SETTINGS =
      RemoteCopySettings.DEFAULTS.withDrainTimeout(Duration.ofSeconds(1));

  @TempDir Path root;

  private static CopyVolumeGroupInfo created(RemoteCopySites sites, String volume) {
    for (String s : SITES) {
      sites.open(s);
    }
    CopyVolumeGroupInfo group =
        RemoteCopySites.group(
            volume, TransferType.ASYNC, SyncFailurePolicy.MARK_OUT_OF_SYNC, "seattle", SITES);
    sites.create(group, 16L * MIB);
    return group;
  }

  @Test
  void aDemotionThatCannotDrainHandsOverItsHotRegionsUntilItIsPrimaryAgain() throws Exception {
    try (RemoteCopySites sites = RemoteCopySites.withEmbeddedBroker(root, SETTINGS)) {
      CopyVolumeGroupInfo first = created(sites, "h1");
      // The secondaries go away: what seattle writes now is only at seattle (and in the broker).
      sites.close("portland");
      sites.close("sanfrancisco");
      RandomWrites.run(sites.unit("seattle"), "h1", 16L * MIB, 5, 2, 50);

      CopyVolumeGroupInfo taken = first.withPrimary("portland", 2);
      try (StorageConnection seattle = sites.unit("seattle").connect()) {
        OutOfSyncRegions handedOver = seattle.defineCopyGroup(taken, OutOfSyncRegions.NONE);
        assertTrue(
            handedOver.bytesOf("seattle") > 0,
            "the undrained old primary names its own hot regions: " + handedOver);
        assertEquals(
            handedOver,
            seattle.defineCopyGroup(taken, OutOfSyncRegions.NONE),
            "a second definition hands the same over again (an answer may have been lost)");

        // Primary again at epoch 3: what it still held hot is resynced from it to the others.
        sites.open("portland");
        sites.open("sanfrancisco");
        CopyVolumeGroupInfo back = first.withPrimary("seattle", 3);
        for (String s : new String[] {"portland", "sanfrancisco"}) {
          try (StorageConnection c = sites.unit(s).connect()) {
            c.defineCopyGroup(back);
          }
        }
        seattle.defineCopyGroup(back, OutOfSyncRegions.NONE);
        assertNotEquals(
            State.IN_SYNC,
            secondary(seattle.copyGroupStatus("h1"), "portland").state(),
            "portland is not in sync until the hot regions are resynced");
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    seattle.copyGroupStatus("h1").secondaries().stream()
                        .allMatch(s -> s.state() == State.IN_SYNC && s.lagWrites() == 0));
        seattle.synchronizeCache("h1", Set.of(), Duration.ofSeconds(30));
        seattle.flush("h1");
        assertEquals(
            OutOfSyncRegions.NONE,
            seattle.defineCopyGroup(back, OutOfSyncRegions.NONE),
            "nothing is left to hand over once it is primary again");
      }
      String primary = sites.checksum("seattle", "h1");
      assertEquals(primary, sites.checksum("portland", "h1"));
      assertEquals(primary, sites.checksum("sanfrancisco", "h1"));
    }
  }

  @Test
  void thePrimaryToldAtItsOwnEpochResyncsTheRegionsToEveryMember() throws Exception {
    try (RemoteCopySites sites = RemoteCopySites.withEmbeddedBroker(root, SETTINGS)) {
      CopyVolumeGroupInfo first = created(sites, "h2");
      RandomWrites.run(sites.unit("seattle"), "h2", 16L * MIB, 6, 2, 50);
      // A region differs at portland only, as if a returning old primary had written it there.
      try (StorageConnection seattle = sites.unit("seattle").connect()) {
        seattle.synchronizeCache("h2", Set.of(), Duration.ofSeconds(30));
      }
      sites.close("portland");
      try (java.nio.channels.FileChannel f =
          java.nio.channels.FileChannel.open(
              sites.volumeFile("portland", "h2"), java.nio.file.StandardOpenOption.WRITE)) {
        f.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), 3L * MIB + 100);
      }
      sites.open("portland");
      assertNotEquals(sites.checksum("seattle", "h2"), sites.checksum("portland", "h2"));

      BitSet region = new BitSet();
      region.set(3);
      OutOfSyncRegions fromReturning = new OutOfSyncRegions(MIB, Map.of("portland", region));
      try (StorageConnection seattle = sites.unit("seattle").connect()) {
        seattle.defineCopyGroup(first, fromReturning);
        for (String s : new String[] {"portland", "sanfrancisco"}) {
          assertFalse(
              secondary(seattle.copyGroupStatus("h2"), s).state() == State.IN_SYNC,
              s + " is resynced before it counts as in sync again");
        }
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    seattle.copyGroupStatus("h2").secondaries().stream()
                        .allMatch(s -> s.state() == State.IN_SYNC && s.lagWrites() == 0));
        seattle.synchronizeCache("h2", Set.of(), Duration.ofSeconds(30));
        seattle.flush("h2");
      }
      String primary = sites.checksum("seattle", "h2");
      assertEquals(primary, sites.checksum("portland", "h2"), "the planted bytes are gone");
      assertEquals(primary, sites.checksum("sanfrancisco", "h2"));
    }
  }
}
