package org.roamstore.storage.replication;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roamstore.storage.replication.RemoteCopySites.MIB;
import static org.roamstore.storage.replication.RemoteCopySites.secondary;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyGroupStatus.State;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.api.VerifyRequest;
import org.roamstore.storage.api.VerifyStatus;
import org.roamstore.storage.api.VerifyStatus.Outcome;

/**
 * Online verify through the storage API, with real units and a real broker: it compares every
 * region of the primary with each secondary at the same point of the write stream while writes go
 * on, finds a difference planted in one copy's file while the system runs, lists it, and repairs it
 * from the primary.
 */
class OnlineVerifyTest {
  private static final String[] SITES = {"seattle", "portland", "sanfrancisco"};
  private static final long SIZE = 16L * MIB;
  private static final Duration A_WHILE = Duration.ofSeconds(60);

  @TempDir Path root;

  private static CopyVolumeGroupInfo created(
      RemoteCopySites sites, String volume, TransferType type) {
    for (String s : SITES) {
      sites.open(s);
    }
    CopyVolumeGroupInfo group =
        RemoteCopySites.group(volume, type, SyncFailurePolicy.MARK_OUT_OF_SYNC, "seattle", SITES);
    sites.create(group, SIZE);
    return group;
  }

  /** The secondary's verify once it no longer runs. */
  private static VerifyStatus finished(StorageConnection primary, String volume, String site) {
    return await()
        .atMost(A_WHILE)
        .until(
            () -> secondary(primary.copyGroupStatus(volume), site).verify(),
            v -> v != null && v.outcome() != Outcome.RUNNING);
  }

  @ParameterizedTest
  @EnumSource(TransferType.class)
  void findsNoDifferenceWhileWritesGoOn(TransferType type) throws Exception {
    try (RemoteCopySites sites =
        RemoteCopySites.withEmbeddedBroker(root, RemoteCopySettings.DEFAULTS)) {
      created(sites, "v1", type);
      RandomWrites.run(sites.unit("seattle"), "v1", SIZE, 7, 2, 100);
      AtomicBoolean stop = new AtomicBoolean();
      CompletableFuture<Void> writes =
          CompletableFuture.runAsync(
              () -> {
                try {
                  RandomWrites.run(sites.unit("seattle"), "v1", SIZE, 8, 2, stop::get, 100_000);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      try (StorageConnection seattle = sites.unit("seattle").connect()) {
        // Slow enough (4 s for the volume) that writes land in regions before and after their
        // verify entries.
        CopyGroupStatus started = seattle.verify("v1", new VerifyRequest(Set.of(), 4, true));
        for (String s : List.of("portland", "sanfrancisco")) {
          assertNotNull(secondary(started, s).verify(), "the verify shows in the status at once");
        }
        for (String s : List.of("portland", "sanfrancisco")) {
          VerifyStatus v = finished(seattle, "v1", s);
          assertEquals(Outcome.NO_DIFFERENCE, v.outcome(), s + ": " + v);
          assertEquals(SIZE, v.bytesVerified(), s + ": every byte compared");
          assertEquals(100, v.percent());
          assertNotNull(v.finishedAt());
        }
        stop.set(true);
        writes.join();
        assertTrue(
            seattle.copyGroupStatus("v1").secondaries().stream()
                .allMatch(s -> s.state() == State.IN_SYNC || s.state() == State.LAGGING),
            "a verify that found nothing leaves the secondaries as they were");
        seattle.synchronizeCache("v1", Set.of(), Duration.ofSeconds(30));
        seattle.flush("v1");
      } finally {
        stop.set(true);
      }
      String primary = sites.checksum("seattle", "v1");
      for (String s : List.of("portland", "sanfrancisco")) {
        assertEquals(primary, sites.checksum(s, "v1"), sites.differences("seattle", s, "v1"));
      }
    }
  }

  @Test
  void findsAPlantedDifferenceListsItAndRepairsIt() throws Exception {
    try (RemoteCopySites sites =
        RemoteCopySites.withEmbeddedBroker(root, RemoteCopySettings.DEFAULTS)) {
      created(sites, "v2", TransferType.ASYNC);
      RandomWrites.run(sites.unit("seattle"), "v2", SIZE, 11, 2, 200);
      try (StorageConnection seattle = sites.unit("seattle").connect()) {
        seattle.synchronizeCache("v2", Set.of(), Duration.ofSeconds(30));
        // Bytes change under sanfrancisco's copy while everything runs (a bad disk, a stray dd).
        long planted = 5 * MIB + 123;
        try (FileChannel file =
            FileChannel.open(sites.volumeFile("sanfrancisco", "v2"), StandardOpenOption.WRITE)) {
          file.write(ByteBuffer.wrap("not what the primary wrote".getBytes()), planted);
        }

        seattle.verify("v2", new VerifyRequest(Set.of("sanfrancisco"), 0, false));
        VerifyStatus found = finished(seattle, "v2", "sanfrancisco");
        assertEquals(Outcome.DIFFERENCES, found.outcome(), found.toString());
        assertEquals(1, found.differingRegions());
        assertEquals(List.of(5L * MIB), found.differingOffsets());
        CopyGroupStatus.SecondaryStatus sf =
            secondary(seattle.copyGroupStatus("v2"), "sanfrancisco");
        assertEquals(State.OUT_OF_SYNC, sf.state(), "an unrepaired difference is never in sync");
        assertEquals((long) MIB, sf.outOfSyncBytes());
        assertNull(
            secondary(seattle.copyGroupStatus("v2"), "portland").verify(),
            "portland was not asked");

        seattle.verify("v2", new VerifyRequest(Set.of("sanfrancisco"), 0, true));
        VerifyStatus repaired =
            await()
                .atMost(A_WHILE)
                .until(
                    () -> secondary(seattle.copyGroupStatus("v2"), "sanfrancisco").verify(),
                    v -> v.repair() && v.outcome() != Outcome.RUNNING);
        assertEquals(Outcome.DIFFERENCES, repaired.outcome(), repaired.toString());
        await()
            .atMost(A_WHILE)
            .until(
                () -> secondary(seattle.copyGroupStatus("v2"), "sanfrancisco").state(),
                s -> s == State.IN_SYNC);
        seattle.synchronizeCache("v2", Set.of(), Duration.ofSeconds(30));
        assertEquals(
            sites.checksum("seattle", "v2"),
            sites.checksum("sanfrancisco", "v2"),
            sites.differences("seattle", "sanfrancisco", "v2"));

        seattle.verify("v2", new VerifyRequest(Set.of("sanfrancisco"), 0, true));
        await()
            .atMost(A_WHILE)
            .until(
                () -> secondary(seattle.copyGroupStatus("v2"), "sanfrancisco").verify(),
                v -> v.outcome() == Outcome.NO_DIFFERENCE);
      }
      // The primary remembers the last verify across a restart.
      sites.close("seattle");
      sites.open("seattle");
      try (StorageConnection seattle = sites.unit("seattle").connect()) {
        VerifyStatus last = secondary(seattle.copyGroupStatus("v2"), "sanfrancisco").verify();
        assertNotNull(last);
        assertEquals(Outcome.NO_DIFFERENCE, last.outcome());
      }
    }
  }

  @Test
  void refusesWhatItCannotVerifyChangingNothing() throws Exception {
    try (RemoteCopySites sites =
        RemoteCopySites.withEmbeddedBroker(root, RemoteCopySettings.DEFAULTS)) {
      created(sites, "v3", TransferType.ASYNC);
      try (StorageConnection seattle = sites.unit("seattle").connect();
          StorageConnection portland = sites.unit("portland").connect()) {
        StorageException stranger =
            assertThrows(
                StorageException.class,
                () -> seattle.verify("v3", new VerifyRequest(Set.of("tokyo"), 0, true)));
        assertEquals(StorageException.Reason.INVALID_ARGUMENT, stranger.reason());
        assertTrue(stranger.getMessage().contains("tokyo"), stranger.getMessage());
        assertEquals(
            StorageException.Reason.NOT_PRIMARY,
            assertThrows(StorageException.class, () -> portland.verify("v3", VerifyRequest.all()))
                .reason());
        assertEquals(
            StorageException.Reason.UNKNOWN_VOLUME,
            assertThrows(StorageException.class, () -> seattle.verify("nope", VerifyRequest.all()))
                .reason());
        assertThrows(StorageException.class, () -> new VerifyRequest(Set.of(), -1, true));
        assertThrows(StorageException.class, () -> new VerifyRequest(Set.of(), 1 << 20, true));
        assertTrue(
            seattle.copyGroupStatus("v3").secondaries().stream().allMatch(s -> s.verify() == null),
            "nothing started");
      }
    }
  }
}
