package org.roamstore.storage.replication;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roamstore.storage.replication.RemoteCopySites.MIB;
import static org.roamstore.storage.replication.RemoteCopySites.secondary;

import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.api.CopyGroupStatus.State;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.api.TransferType;

/**
 * A change of primary while a secondary is out of sync: the regions it misses move from the old
 * primary to the new one (Fig. 9 run member by member, as the directory runs it), and the new
 * primary resynchronises it when it returns. Without the hand-over the returning secondary would
 * follow the new primary with the old bytes of those regions for good.
 */
class OutOfSyncHandOverTest {
  private static final String[] SITES = {"seattle", "portland", "sanfrancisco"};
  private static final RemoteCopySettings SETTINGS =
      RemoteCopySettings.DEFAULTS
          .withSyncTimeout(Duration.ofMillis(400))
          .withDrainTimeout(Duration.ofSeconds(30));

  @TempDir Path root;

  /** A SYNC group with its primary at seattle, on all three sites. */
  private static CopyVolumeGroupInfo created(RemoteCopySites sites, String volume) {
    for (String s : SITES) {
      sites.open(s);
    }
    CopyVolumeGroupInfo group =
        RemoteCopySites.group(
            volume, TransferType.SYNC, SyncFailurePolicy.MARK_OUT_OF_SYNC, "seattle", SITES);
    sites.create(group, 16L * MIB);
    return group;
  }

  @Test
  void theNewPrimaryResyncsWhatASecondaryMissedAtTheOldOne() throws Exception {
    try (RemoteCopySites sites = RemoteCopySites.withEmbeddedBroker(root, SETTINGS)) {
      CopyVolumeGroupInfo first = created(sites, "v8");
      sites.close("sanfrancisco");
      RandomWrites.run(sites.unit("seattle"), "v8", 16L * MIB, 21, 2, 120);

      CopyVolumeGroupInfo next = first.withPrimary("portland", 2);
      OutOfSyncRegions handedOver;
      try (StorageConnection seattle = sites.unit("seattle").connect()) {
        handedOver = seattle.defineCopyGroup(next, OutOfSyncRegions.NONE);
      }
      assertEquals(Set.of("sanfrancisco"), handedOver.secondaries(), handedOver.toString());
      assertTrue(handedOver.bytesOf("sanfrancisco") > 0, handedOver.toString());
      try (StorageConnection portland = sites.unit("portland").connect()) {
        assertEquals(OutOfSyncRegions.NONE, portland.defineCopyGroup(next, handedOver));
        assertEquals(
            State.OUT_OF_SYNC,
            secondary(portland.copyGroupStatus("v8"), "sanfrancisco").state(),
            "the new primary knows at once that sanfrancisco misses data");

        // sanfrancisco returns and learns the new layout (the directory's site watch does this)
        sites.open("sanfrancisco");
        try (StorageConnection sf = sites.unit("sanfrancisco").connect()) {
          sf.defineCopyGroup(next);
        }
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    secondary(portland.copyGroupStatus("v8"), "sanfrancisco").state()
                        == State.IN_SYNC);
        portland.synchronizeCache("v8", Set.of(), Duration.ofSeconds(30));
        portland.flush("v8");
      }
      String primary = sites.checksum("portland", "v8");
      assertEquals(primary, sites.checksum("seattle", "v8"));
      assertEquals(
          primary,
          sites.checksum("sanfrancisco", "v8"),
          sites.differences("portland", "sanfrancisco", "v8"));
    }
  }

  @Test
  void aMemberThatMissesRegionsItselfRefusesToBecomePrimaryAndKeepsItsLayout() throws Exception {
    try (RemoteCopySites sites = RemoteCopySites.withEmbeddedBroker(root, SETTINGS)) {
      CopyVolumeGroupInfo first = created(sites, "v9");
      BitSet regions = new BitSet();
      regions.set(2);
      OutOfSyncRegions missing = new OutOfSyncRegions(MIB, Map.of("sanfrancisco", regions));

      try (StorageConnection sf = sites.unit("sanfrancisco").connect()) {
        StorageException refused =
            assertThrows(
                StorageException.class,
                () -> sf.defineCopyGroup(first.withPrimary("sanfrancisco", 2), missing));
        assertEquals(StorageException.Reason.INVALID_ARGUMENT, refused.reason());
        assertTrue(refused.getMessage().contains("resynchronised first"), refused.getMessage());
        assertEquals(1, sf.volume("v9").orElseThrow().copyGroup().orElseThrow().epoch());
      }
    }
  }
}
