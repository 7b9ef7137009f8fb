package org.roamstore.storage.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.replication.WriteData;
import org.roamstore.storage.replication.WriteDataSender;

class StorageControlUnitTest {
  private static final String HERE = "seattle";
  private static final String THERE = "sf";

  @TempDir Path dir;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<StorageControlUnit> units = new ArrayList<>();

  @AfterEach
  void tearDown() {
    units.forEach(StorageControlUnit::close);
    executor.shutdownNow();
  }

  private StorageControlUnit open() {
    return open(new NoSecondaries());
  }

  private StorageControlUnit open(WriteDataSender sender) {
    StorageControlUnit unit =
        StorageControlUnit.open(
            new StorageControlUnitConfig(HERE, dir, 1 << 20, null, -1), executor, sender);
    units.add(unit);
    return unit;
  }

  static CopyVolumeGroupInfo group(
      String volumeId, long epoch, boolean primaryHere, TransferType type) {
    return new CopyVolumeGroupInfo(
        "g-" + volumeId,
        type,
        epoch,
        List.of(
            new CopyGroupMember(new RealVolumeAddress(HERE, volumeId), primaryHere),
            new CopyGroupMember(new RealVolumeAddress(THERE, volumeId), !primaryHere)));
  }

  private static StorageConnection servedVolume(StorageControlUnit unit, String id, long size) {
    StorageConnection c = unit.connect();
    c.createVolume(id, size);
    c.defineCopyGroup(group(id, 1, true, TransferType.SYNC));
    return c;
  }

  private static void assertRefused(Reason reason, Executable call) {
    StorageException e = assertThrows(StorageException.class, call);
    assertEquals(reason, e.reason(), e.getMessage());
  }

  @Test
  void dataSurvivesARestartAfterFlushAndAfterClose() {
    StorageControlUnit unit = open();
    StorageConnection c = servedVolume(unit, "v1", 1_000_003);
    byte[] flushed = new byte[70_000];
    new Random(7).nextBytes(flushed);
    c.write("v1", 1, 4_097, flushed, false);
    c.flush("v1");
    byte[] fua = {9, 8, 7};
    c.write("v1", 1, 1_000_000, fua, true);
    byte[] closed = {42};
    c.write("v1", 1, 0, closed, false);
    unit.close();

    StorageConnection again = open().connect();
    assertArrayEquals(flushed, again.read("v1", 1, 4_097, flushed.length));
    assertArrayEquals(fua, again.read("v1", 1, 1_000_000, 3));
    assertArrayEquals(closed, again.read("v1", 1, 0, 1));
    assertEquals(1_000_003, again.volume("v1").orElseThrow().sizeBytes());
  }

  @Test
  void copyGroupInformationSurvivesARestart() {
    StorageControlUnit unit = open();
    StorageConnection c = unit.connect();
    c.createVolume("v1", 4096);
    CopyVolumeGroupInfo demoted = group("v1", 5, false, TransferType.ASYNC);
    c.defineCopyGroup(group("v1", 4, true, TransferType.ASYNC));
    c.defineCopyGroup(demoted);
    unit.close();

    StorageConnection again = open().connect();
    assertEquals(demoted, again.volume("v1").orElseThrow().copyGroup().orElseThrow());
    assertFalse(again.volume("v1").orElseThrow().isPrimaryHere());
  }

  @Test
  void olderEpochIsRefusedAndChangesNothing() {
    StorageConnection c = open().connect();
    c.createVolume("v1", 4096);
    CopyVolumeGroupInfo current = group("v1", 3, true, TransferType.SYNC);
    c.defineCopyGroup(current);

    assertRefused(
        Reason.STALE_EPOCH, () -> c.defineCopyGroup(group("v1", 2, false, TransferType.SYNC)));
    assertEquals(current, c.volume("v1").orElseThrow().copyGroup().orElseThrow());
  }

  @Test
  void readsAndWritesNeedThePrimaryAndTheCurrentEpoch() {
    StorageConnection c = open().connect();
    c.createVolume("v1", 8192);
    assertRefused(Reason.NO_COPY_GROUP, () -> c.write("v1", 1, 0, new byte[] {1}, false));
    c.defineCopyGroup(group("v1", 1, true, TransferType.SYNC));
    c.write("v1", 1, 0, new byte[] {1, 1}, false);

    c.defineCopyGroup(group("v1", 2, true, TransferType.SYNC));
    assertRefused(Reason.STALE_EPOCH, () -> c.write("v1", 1, 0, new byte[] {2, 2}, false));
    assertRefused(Reason.STALE_EPOCH, () -> c.read("v1", 1, 0, 2));
    assertRefused(Reason.STALE_EPOCH, () -> c.write("v1", 3, 0, new byte[] {3, 3}, false));
    assertArrayEquals(new byte[] {1, 1}, c.read("v1", 2, 0, 2));

    c.defineCopyGroup(group("v1", 3, false, TransferType.SYNC));
    assertRefused(Reason.NOT_PRIMARY, () -> c.write("v1", 3, 0, new byte[] {4, 4}, false));
    assertRefused(Reason.NOT_PRIMARY, () -> c.read("v1", 3, 0, 2));
    c.defineCopyGroup(group("v1", 4, true, TransferType.SYNC));
    assertArrayEquals(new byte[] {1, 1}, c.read("v1", 4, 0, 2), "no refused write landed");
  }

  @Test
  void badInputIsRefusedAndChangesNothing() {
    StorageConnection c = servedVolume(open(), "v1", 10_000);
    c.write("v1", 1, 9_990, new byte[] {5, 5, 5, 5, 5, 5, 5, 5, 5, 5}, false);

    assertRefused(Reason.UNKNOWN_VOLUME, () -> c.write("nope", 1, 0, new byte[1], false));
    assertRefused(Reason.UNKNOWN_VOLUME, () -> c.read("nope", 1, 0, 1));
    assertRefused(Reason.OUT_OF_RANGE, () -> c.write("v1", 1, 9_995, new byte[6], false));
    assertRefused(Reason.OUT_OF_RANGE, () -> c.read("v1", 1, 10_001, 0));
    assertRefused(Reason.INVALID_ARGUMENT, () -> c.read("v1", 1, 0, -1));
    assertRefused(Reason.INVALID_ARGUMENT, () -> c.write("v1", 1, -1, new byte[1], false));
    assertRefused(Reason.INVALID_ARGUMENT, () -> c.write("v1", 1, 0, null, false));
    assertRefused(Reason.INVALID_ARGUMENT, () -> c.createVolume("../etc", 10));
    assertRefused(Reason.INVALID_ARGUMENT, () -> c.createVolume("v2", 0));
    assertRefused(Reason.VOLUME_EXISTS, () -> c.createVolume("v1", 10));
    assertRefused(
        Reason.INVALID_ARGUMENT,
        () ->
            c.defineCopyGroup(
                new CopyVolumeGroupInfo(
                    "g-x",
                    TransferType.SYNC,
                    1,
                    List.of(new CopyGroupMember(new RealVolumeAddress(THERE, "v1"), true)))));
    assertRefused(Reason.UNKNOWN_EXPORT, () -> c.revokeExport("nope"));
    assertRefused(Reason.STALE_EPOCH, () -> c.registerExport("tok", "v1", 7));
    assertRefused(Reason.INVALID_ARGUMENT, () -> c.registerExport("has space", "v1", 1));

    assertArrayEquals(
        new byte[] {5, 5, 5, 5, 5, 5, 5, 5, 5, 5}, c.read("v1", 1, 9_990, 10), "unchanged");
    assertEquals(1, c.volumes().size());
    assertEquals(10_000, c.volume("v1").orElseThrow().sizeBytes());
  }

  @Test
  void deletedVolumeIsGoneWithItsGroupAfterRestart() {
    StorageControlUnit unit = open();
    StorageConnection c = servedVolume(unit, "v1", 4096);
    c.registerExport("tok", "v1", 1);
    c.deleteVolume("v1");
    assertTrue(c.volume("v1").isEmpty());
    assertRefused(Reason.UNKNOWN_EXPORT, () -> c.revokeExport("tok"));
    unit.close();
    StorageConnection again = open().connect();
    assertTrue(again.volumes().isEmpty());
    again.createVolume("v1", 4096);
    assertTrue(again.volume("v1").orElseThrow().copyGroup().isEmpty());
  }

  @Test
  void closedHandlesAndClosedUnitsRefuseEverything() {
    StorageControlUnit unit = open();
    StorageConnection c = unit.connect();
    StorageConnection other = unit.connect();
    c.close();
    assertRefused(Reason.CLOSED, c::volumes);
    assertEquals(0, other.volumes().size());
    unit.close();
    assertRefused(Reason.CLOSED, other::volumes);
    assertRefused(Reason.CLOSED, unit::connect);
  }

  @Test
  void twoUnitsCannotShareADataDirectory() {
    open();
    assertThrows(StorageException.class, this::open);
  }

  @Test
  void syncWritesCompleteOnlyWhenTheSenderSaysSoAsyncAtOnce() throws Exception {
    CompletableFuture<Void> secondaries = new CompletableFuture<>();
    List<WriteData> sent = new ArrayList<>();
    WriteDataSender sender =
        new WriteDataSender() {
          @Override
          public synchronized CompletionStage<Void> send(WriteData write) {
            sent.add(write);
            return secondaries;
          }

          @Override
          public void drain(CopyVolumeGroupInfo group) {}
        };
    StorageConnection c = open(sender).connect();
    c.createVolume("s", 4096);
    c.defineCopyGroup(group("s", 1, true, TransferType.SYNC));
    c.createVolume("a", 4096);
    c.defineCopyGroup(group("a", 1, true, TransferType.ASYNC));

    c.write("a", 1, 0, new byte[] {1}, false); // returns although the sender never completes
    Future<?> syncWrite = executor.submit(() -> c.write("s", 1, 10, new byte[] {2, 3}, false));
    await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() == 2);
    assertFalse(syncWrite.isDone(), "a SYNC write waits for the secondaries");
    secondaries.complete(null);
    syncWrite.get();

    WriteData sync = sent.get(1);
    assertEquals("s", sync.volumeId());
    assertEquals(10, sync.offset());
    assertEquals(2, sync.length());
    assertEquals(1, sync.group().epoch());
  }

  @Test
  void exportsFollowTheEpochAndSurviveARestart() {
    StorageControlUnit unit = open();
    StorageConnection c = servedVolume(unit, "v1", 4096);
    c.registerExport("tok-1", "v1", 1);
    unit.close();

    StorageConnection again = open().connect();
    again.revokeExport("tok-1"); // still there after the restart
    again.registerExport("tok-2", "v1", 1);
    again.defineCopyGroup(group("v1", 2, true, TransferType.SYNC));
    assertRefused(Reason.UNKNOWN_EXPORT, () -> again.revokeExport("tok-2"));
  }

  @Test
  void statusReportsTheUnit() {
    StorageControlUnit unit = open();
    StorageConnection c = servedVolume(unit, "v1", 8192);
    c.write("v1", 1, 0, new byte[100], false);
    var status = unit.status();
    assertEquals(HERE, status.storageSystem());
    assertEquals(1, status.volumes());
    assertEquals(1 << 20, status.cacheCapacityBytes());
    assertEquals(-1, status.nbdPort());
    assertEquals(status, c.status());
  }

  private static final class NoSecondaries implements WriteDataSender {
    @Override
    public CompletionStage<Void> send(WriteData write) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void drain(CopyVolumeGroupInfo group) {}
  }
}
