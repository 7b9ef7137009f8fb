package org.roamstore.storage.replication;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roamstore.storage.replication.RemoteCopySites.MIB;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.roamstore.storage.api.CacheSynchronization;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyGroupStatus.State;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.api.TransferType;

/** Three storage control units and a real Artemis broker in the test JVM. */
class RemoteCopyTest {
  private static final String[] SITES = {"seattle", "portland", "sanfrancisco"};
  private static final long SIZE = 16L * MIB;
  private static final RemoteCopySettings FAST = RemoteCopySites.FAST;

  @TempDir Path root;

  @ParameterizedTest
  @EnumSource(TransferType.class)
  void mixedRandomWritesLeaveByteIdenticalCopiesOnceSynchronized(TransferType type)
      throws Exception {
    try (RemoteCopySites sites = RemoteCopySites.withEmbeddedBroker(root, FAST)) {
      for (String s : SITES) {
        sites.open(s);
      }
      CopyVolumeGroupInfo group =
          RemoteCopySites.group("v1", type, SyncFailurePolicy.MARK_OUT_OF_SYNC, "seattle", SITES);
      sites.create(group, SIZE);

      RandomWrites.run(sites.unit("seattle"), "v1", SIZE, 7 + type.ordinal(), 4, 250);

      try (StorageConnection seattle = sites.unit("seattle").connect()) {
        CacheSynchronization sync =
            seattle.synchronizeCache("v1", Set.of(), Duration.ofSeconds(30));
        assertEquals(Set.of("portland", "sanfrancisco"), sync.sequences().keySet());
        seattle.flush("v1");
        CopyGroupStatus status = seattle.copyGroupStatus("v1");
        assertEquals(CopyGroupStatus.Role.PRIMARY, status.role());
        for (CopyGroupStatus.SecondaryStatus s : status.secondaries()) {
          assertEquals(State.IN_SYNC, s.state(), s.toString());
          assertEquals(0, s.lagWrites(), s.toString());
        }
      }
      // The secondaries get the same batches: each is sent, and stored, once for both.
      long[] routing = sites.writeDataRouting();
      System.out.println(
          "write data " + type + ": " + routing[0] + " messages, " + routing[1] + " queued");
      String primary = sites.checksum("seattle", "v1");
      assertNotEquals(zerosChecksum(sites), primary, "the writes reached the primary's file");
      assertEquals(primary, sites.checksum("portland", "v1"));
      assertEquals(primary, sites.checksum("sanfrancisco", "v1"));
      try (StorageConnection portland = sites.unit("portland").connect()) {
        CopyGroupStatus status = portland.copyGroupStatus("v1");
        assertEquals(CopyGroupStatus.Role.SECONDARY, status.role());
        assertEquals(status.applied().sequence(), status.applied().durableSequence());
      }
    }
  }

  /**
   * The secondaries' periodic checkpoint is far away here (an hour), so only the checkpoint a
   * synchronize cache or a FLUSH asks for makes the data durable there in time.
   */
  @ParameterizedTest
  @EnumSource(TransferType.class)
  void synchronizeCacheAndFlushHaveTheSecondariesCheckpointAtOnce(TransferType type)
      throws Exception {
    RemoteCopySettings settings =
        FAST.withSyncTimeout(Duration.ofSeconds(20)).withCheckpointInterval(Duration.ofHours(1));
    try (RemoteCopySites sites = RemoteCopySites.withEmbeddedBroker(root, settings)) {
      for (String s : SITES) {
        sites.open(s);
      }
      CopyVolumeGroupInfo group =
          RemoteCopySites.group("v5", type, SyncFailurePolicy.MARK_OUT_OF_SYNC, "seattle", SITES);
      sites.create(group, SIZE);
      byte[] data = new byte[MIB];
      new Random(5).nextBytes(data);
      try (StorageConnection seattle = sites.unit("seattle").connect()) {
        seattle.write("v5", 1, 3 * MIB, data, false);
        seattle.synchronizeCache("v5", Set.of(), Duration.ofSeconds(30));
        for (String s : new String[] {"portland", "sanfrancisco"}) {
          try (StorageConnection secondary = sites.unit(s).connect()) {
            CopyGroupStatus.Applied applied = secondary.copyGroupStatus("v5").applied();
            assertEquals(applied.sequence(), applied.durableSequence(), s);
          }
        }

        seattle.write("v5", 1, 5 * MIB, data, false);
        // SYNC: waits until the secondaries have the write on disk, or marks them out of sync
        // after the sync timeout; ASYNC: until the broker has it.
        seattle.flush("v5");
        for (CopyGroupStatus.SecondaryStatus s : seattle.copyGroupStatus("v5").secondaries()) {
          if (type == TransferType.SYNC) {
            assertEquals(State.IN_SYNC, s.state(), s.toString());
          } else {
            assertNotEquals(State.OUT_OF_SYNC, s.state(), s.toString());
          }
        }
        seattle.synchronizeCache("v5", Set.of(), Duration.ofSeconds(30));
      }
      String primary = sites.checksum("seattle", "v5");
      assertEquals(primary, sites.checksum("portland", "v5"));
      assertEquals(primary, sites.checksum("sanfrancisco", "v5"));
    }
  }

  @Test
  void aSynchronizeCacheThatTimesOutSaysSoAndLosesNothing() throws Exception {
    try (RemoteCopySites sites = RemoteCopySites.withEmbeddedBroker(root, FAST)) {
      sites.open("seattle");
      sites.open("portland");
      CopyVolumeGroupInfo group =
          RemoteCopySites.group(
              "v2",
              TransferType.ASYNC,
              SyncFailurePolicy.MARK_OUT_OF_SYNC,
              "seattle",
              "seattle",
              "portland");
      sites.create(group, SIZE);
      sites.close("portland"); // down: its batches wait in the broker

      byte[] data = new byte[3 * MIB];
      new Random(3).nextBytes(data);
      try (StorageConnection seattle = sites.unit("seattle").connect()) {
        seattle.write("v2", 1, MIB, data, false);
        StorageException timeout =
            assertThrows(
                StorageException.class,
                () -> seattle.synchronizeCache("v2", Set.of("portland"), Duration.ofMillis(300)));
        assertEquals(StorageException.Reason.TIMEOUT, timeout.reason());
        assertTrue(timeout.getMessage().contains("timed out"), timeout.getMessage());
        assertTrue(timeout.getMessage().contains("portland has 0 of"), timeout.getMessage());
        assertArrayEquals(data, seattle.read("v2", 1, MIB, data.length), "the primary keeps it");
        assertEquals(State.LAGGING, seattle.copyGroupStatus("v2").secondaries().get(0).state());

        sites.open("portland");
        seattle.synchronizeCache("v2", Set.of("portland"), Duration.ofSeconds(30));
        seattle.flush("v2");
      }
      assertEquals(sites.checksum("seattle", "v2"), sites.checksum("portland", "v2"));
    }
  }

  @Test
  void aSyncWriteGoesOnWithoutASilentSecondaryAndResyncsItWhenItReturns() throws Exception {
    try (RemoteCopySites sites = RemoteCopySites.withEmbeddedBroker(root, FAST)) {
      for (String s : SITES) {
        sites.open(s);
      }
      CopyVolumeGroupInfo group =
          RemoteCopySites.group(
              "v3", TransferType.SYNC, SyncFailurePolicy.MARK_OUT_OF_SYNC, "seattle", SITES);
      sites.create(group, SIZE);
      sites.close("sanfrancisco");

      try (StorageConnection seattle = sites.unit("seattle").connect()) {
        seattle.write(
            "v3", 1, 0, new byte[] {1, 2, 3}, false); // waits out the timeout, then goes on
        CopyGroupStatus status = seattle.copyGroupStatus("v3");
        assertEquals(State.OUT_OF_SYNC, stateOf(status, "sanfrancisco"));
        assertEquals(State.IN_SYNC, stateOf(status, "portland"));
        assertTrue(Files.exists(root.resolve("seattle/replication/v3.resync")));

        RandomWrites.run(sites.unit("seattle"), "v3", SIZE, 11, 2, 150);
        CopyGroupStatus.SecondaryStatus missing =
            secondary(seattle.copyGroupStatus("v3"), "sanfrancisco");
        assertTrue(
            missing.outOfSyncBytes() > 0, "regions written meanwhile are tracked: " + missing);

        sites.open("sanfrancisco");
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> stateOf(seattle.copyGroupStatus("v3"), "sanfrancisco") == State.IN_SYNC);
        assertEquals(100, secondary(seattle.copyGroupStatus("v3"), "sanfrancisco").resyncPercent());
        assertTrue(Files.notExists(root.resolve("seattle/replication/v3.resync")));
        seattle.synchronizeCache("v3", Set.of(), Duration.ofSeconds(30));
        seattle.flush("v3");
      }
      String primary = sites.checksum("seattle", "v3");
      assertEquals(primary, sites.checksum("portland", "v3"));
      assertEquals(primary, sites.checksum("sanfrancisco", "v3"));
    }
  }

  @Test
  void aFailWritesGroupRefusesWritesWhileASecondaryIsSilent() throws Exception {
    try (RemoteCopySites sites = RemoteCopySites.withEmbeddedBroker(root, FAST)) {
      sites.open("seattle");
      sites.open("portland");
      CopyVolumeGroupInfo group =
          RemoteCopySites.group(
              "v4",
              TransferType.SYNC,
              SyncFailurePolicy.FAIL_WRITES,
              "seattle",
              "seattle",
              "portland");
      sites.create(group, SIZE);
      sites.close("portland");

      try (StorageConnection seattle = sites.unit("seattle").connect()) {
        StorageException refused =
            assertThrows(
                StorageException.class, () -> seattle.write("v4", 1, 0, new byte[4096], false));
        assertEquals(StorageException.Reason.TIMEOUT, refused.reason());
        assertTrue(refused.getMessage().contains("portland"), refused.getMessage());
        assertEquals(State.LAGGING, stateOf(seattle.copyGroupStatus("v4"), "portland"));

        sites.open("portland");
        byte[] data = new byte[8192];
        Arrays.fill(data, (byte) 0x6b);
        seattle.write("v4", 1, 4096, data, false); // completes once portland has it
        seattle.synchronizeCache("v4", Set.of(), Duration.ofSeconds(30));
        seattle.flush("v4");
      }
      assertEquals(sites.checksum("seattle", "v4"), sites.checksum("portland", "v4"));
    }
  }

  private static CopyGroupStatus.SecondaryStatus secondary(CopyGroupStatus status, String site) {
    return status.secondaries().stream()
        .filter(s -> s.storageSystem().equals(site))
        .findFirst()
        .orElseThrow();
  }

  private static State stateOf(CopyGroupStatus status, String site) {
    return secondary(status, site).state();
  }

  private static String zerosChecksum(RemoteCopySites sites) throws Exception {
    Path zeros = sites.root.resolve("zeros/volumes/zeros.vol");
    Files.createDirectories(zeros.getParent());
    try (var f =
        java.nio.channels.FileChannel.open(
            zeros,
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.WRITE)) {
      f.truncate(0);
      f.write(java.nio.ByteBuffer.allocate(1), SIZE - 1);
    }
    return sites.checksum("zeros", "zeros");
  }
}
