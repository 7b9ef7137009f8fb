package org.roamstore.storage.replication;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roamstore.storage.replication.RemoteCopySites.MIB;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyGroupStatus.State;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.api.TransferType;

/**
 * A copy added to a copy group while a writer runs, at the group's epoch (the primary's exports and
 * the writer go on): the primary copies every region holding data to it, and it is reported in sync
 * only once it has them; then it holds the same bytes as the others.
 */
class AddCopyTest {
  private static final long SIZE = 16L * MIB;

  @TempDir Path root;

  @ParameterizedTest
  @EnumSource(TransferType.class)
  void aCopyAddedWhileWritesGoOnCatchesUpAndThenHoldsTheSameBytes(TransferType type)
      throws Exception {
    try (RemoteCopySites sites = RemoteCopySites.withEmbeddedBroker(root, RemoteCopySites.FAST)) {
      sites.open("seattle");
      sites.open("portland");
      CopyVolumeGroupInfo two =
          RemoteCopySites.group(
              "v", type, SyncFailurePolicy.MARK_OUT_OF_SYNC, "seattle", "seattle", "portland");
      sites.create(two, SIZE);
      // Data in the first half only: the second half is a hole, which the copy skips.
      try (StorageConnection seattle = sites.unit("seattle").connect()) {
        Random r = new Random(21);
        for (int i = 0; i < 200; i++) {
          byte[] page = new byte[4096];
          r.nextBytes(page);
          seattle.write("v", 1, r.nextLong(SIZE / 2 / 4096) * 4096, page, false);
        }
      }

      AtomicBoolean stop = new AtomicBoolean();
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                try {
                  RandomWrites.run(sites.unit("seattle"), "v", SIZE, 5, 1, stop::get, 100_000);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });

      addSanFrancisco(sites, two);
      try (StorageConnection seattle = sites.unit("seattle").connect()) {
        CopyGroupStatus.SecondaryStatus added =
            RemoteCopySites.secondary(seattle.copyGroupStatus("v"), "sanfrancisco");
        assertTrue(
            added.state() != State.IN_SYNC,
            "not in sync before anything was copied to it: " + added);
      }
      Thread.sleep(500); // writes go on during the copy
      stop.set(true);
      writer.get();

      try (StorageConnection seattle = sites.unit("seattle").connect()) {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    RemoteCopySites.secondary(seattle.copyGroupStatus("v"), "sanfrancisco").state()
                        == State.IN_SYNC);
        seattle.synchronizeCache("v", Set.of(), Duration.ofSeconds(30));
        for (CopyGroupStatus.SecondaryStatus s : seattle.copyGroupStatus("v").secondaries()) {
          assertEquals(State.IN_SYNC, s.state(), s.toString());
        }
      }
      String primary = sites.checksum("seattle", "v");
      assertEquals(
          primary, sites.checksum("sanfrancisco", "v"), () -> differences(sites, "sanfrancisco"));
      assertEquals(primary, sites.checksum("portland", "v"));
    }
  }

  /**
   * The new member killed (SIGKILL) in the middle of its first copy, paced so that it is: once
   * restarted, the copy goes on where it stands and ends with the same bytes everywhere.
   */
  @org.junit.jupiter.api.Test
  void aNewMemberKilledDuringItsFirstCopyResumesIt() throws Exception {
    RemoteCopySettings paced = RemoteCopySites.FAST.withResyncRate(4L * MIB);
    try (RemoteCopySites sites = RemoteCopySites.withEmbeddedBroker(root, paced)) {
      sites.open("seattle");
      sites.open("portland");
      CopyVolumeGroupInfo two =
          RemoteCopySites.group(
              "v",
              TransferType.ASYNC,
              SyncFailurePolicy.MARK_OUT_OF_SYNC,
              "seattle",
              "seattle",
              "portland");
      sites.create(two, SIZE);
      try (StorageConnection seattle = sites.unit("seattle").connect()) {
        Random r = new Random(8);
        byte[] mib = new byte[(int) MIB];
        for (long offset = 0; offset < SIZE; offset += MIB) {
          r.nextBytes(mib);
          seattle.write("v", 1, offset, mib, false);
        }
      }
      // The new member in a JVM of its own, its volume made and the group defined as it starts.
      String[] args = {
        "sanfrancisco",
        root.resolve("sanfrancisco").toString(),
        "-1",
        "32",
        "--volume",
        "v:16M",
        "--group",
        "v:ASYNC:1:seattle/v*,portland/v,sanfrancisco/v",
        "--broker",
        RemoteCopySites.brokerUrl(sites.brokerPort)
      };
      Path log = root.resolve("sanfrancisco.log");
      ChildProcess sanfrancisco = ChildProcess.start(log, "READY", STANDALONE, args);
      try {
        CopyVolumeGroupInfo three = withMember(two, "sanfrancisco");
        for (String site : List.of("portland", "seattle")) {
          try (StorageConnection c = sites.unit(site).connect()) {
            c.defineCopyGroup(three);
          }
        }
        Path applied = root.resolve("sanfrancisco/replication/v.applied");
        await().atMost(Duration.ofSeconds(30)).until(() -> java.nio.file.Files.exists(applied));
        try (StorageConnection seattle = sites.unit("seattle").connect()) {
          CopyGroupStatus.SecondaryStatus copying =
              RemoteCopySites.secondary(seattle.copyGroupStatus("v"), "sanfrancisco");
          assertTrue(copying.state() != State.IN_SYNC, "killed while copying: " + copying);
        }
        sanfrancisco.kill();
        sanfrancisco = ChildProcess.start(log, "READY", STANDALONE, args);
        try (StorageConnection seattle = sites.unit("seattle").connect()) {
          await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () ->
                      RemoteCopySites.secondary(seattle.copyGroupStatus("v"), "sanfrancisco")
                              .state()
                          == State.IN_SYNC);
          seattle.synchronizeCache("v", Set.of(), Duration.ofSeconds(30));
        }
      } finally {
        sanfrancisco.close();
      }
      assertEquals(
          sites.checksum("seattle", "v"),
          sites.checksum("sanfrancisco", "v"),
          () -> differences(sites, "sanfrancisco"));
    }
  }

  /**
   * Only the regions holding data travel, counted in the resync's 1 MiB regions: three pages
   * written 5 MiB apart are three regions to copy, not the three 4 MiB regions of the activity log
   * around them. The copy is paced (1 MiB/s) so the count is read before much of it has gone.
   */
  @org.junit.jupiter.api.Test
  void aNewMembersFirstCopyHoldsOnlyTheRegionsWithData() throws Exception {
    RemoteCopySettings paced = RemoteCopySites.FAST.withResyncRate(MIB);
    try (RemoteCopySites sites = RemoteCopySites.withEmbeddedBroker(root, paced)) {
      sites.open("seattle");
      sites.open("portland");
      CopyVolumeGroupInfo two =
          RemoteCopySites.group(
              "v",
              TransferType.ASYNC,
              SyncFailurePolicy.MARK_OUT_OF_SYNC,
              "seattle",
              "seattle",
              "portland");
      sites.create(two, SIZE);
      try (StorageConnection seattle = sites.unit("seattle").connect()) {
        byte[] page = new byte[4096];
        java.util.Arrays.fill(page, (byte) 0x5d);
        for (long offset : new long[] {0, 5 * MIB + 8192, 10 * MIB + 4096}) {
          seattle.write("v", 1, offset, page, false);
        }
        seattle.synchronizeCache("v", Set.of(), Duration.ofSeconds(30));
      }
      addSanFrancisco(sites, two);
      try (StorageConnection seattle = sites.unit("seattle").connect()) {
        CopyGroupStatus.SecondaryStatus added =
            RemoteCopySites.secondary(seattle.copyGroupStatus("v"), "sanfrancisco");
        assertTrue(
            added.outOfSyncBytes() > 0 && added.outOfSyncBytes() <= 3 * MIB,
            "three 1 MiB regions to copy at most: " + added);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    RemoteCopySites.secondary(seattle.copyGroupStatus("v"), "sanfrancisco").state()
                        == State.IN_SYNC);
        seattle.synchronizeCache("v", Set.of(), Duration.ofSeconds(30));
      }
      assertEquals(
          sites.checksum("seattle", "v"),
          sites.checksum("sanfrancisco", "v"),
          () -> differences(sites, "sanfrancisco"));
    }
  }

  private static final String STANDALONE = "org.roamstore.storage.engine.StandaloneStorage";

  private static String differences(RemoteCopySites sites, String site) {
    try {
      return sites.differences("seattle", site, "v");
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  /**
   * San Francisco joins the group in this JVM with an empty volume: the new member first, then the
   * other secondaries, the primary last (once the primary sends to it, every member knows the group
   * it belongs to), as the directory does.
   */
  private static void addSanFrancisco(RemoteCopySites sites, CopyVolumeGroupInfo two) {
    sites.open("sanfrancisco");
    try (StorageConnection sf = sites.unit("sanfrancisco").connect()) {
      sf.createVolume("v", SIZE);
    }
    CopyVolumeGroupInfo three = withMember(two, "sanfrancisco");
    for (String site : List.of("sanfrancisco", "portland", "seattle")) {
      try (StorageConnection c = sites.unit(site).connect()) {
        c.defineCopyGroup(three);
      }
    }
  }

  private static CopyVolumeGroupInfo withMember(CopyVolumeGroupInfo group, String site) {
    List<CopyGroupMember> members = new ArrayList<>(group.members());
    members.add(new CopyGroupMember(new RealVolumeAddress(site, "v"), false));
    return new CopyVolumeGroupInfo(
        group.groupId(), group.transferType(), group.epoch(), members, group.syncFailurePolicy());
  }
}
