package org.roamstore.storage.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.replication.ReplicaVolume;
import org.roamstore.storage.replication.ReplicaVolumes;
import org.roamstore.storage.replication.WriteData;
import org.roamstore.storage.replication.WriteDataSender;

/**
 * The one role change of a copy group member ({@link CopyGroupReplica#define}), through a real
 * control unit over real files; remote copy is a recording stand-in, since what is checked is what
 * the role change asks of it and in which order.
 */
class CopyGroupReplicaTest {
  private static final String HERE = "seattle";
  private static final String THERE = "sf";
  private static final String GROUP = "g-v";

  @TempDir Path dir;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final RecordingSender sender = new RecordingSender();
  private StorageControlUnit unit;
  private StorageConnection c;

  @BeforeEach
  void open() {
    unit =
        StorageControlUnit.open(
            new StorageControlUnitConfig(HERE, dir, 1 << 20, null, -1), executor, sender);
    c = unit.connect();
    c.createVolume("v", 1 << 20);
  }

  @AfterEach
  void close() {
    sender.drainGate.countDown();
    unit.close();
    executor.shutdownNow();
  }

  private static CopyVolumeGroupInfo group(long epoch, boolean primaryHere) {
    return StorageControlUnitTest.group("v", epoch, primaryHere, TransferType.ASYNC);
  }

  private ReplicaVolume replica() {
    return sender.volumes.byGroup(GROUP).orElseThrow();
  }

  @Test
  void aSecondaryAppliesUntilItIsPrimaryAtThatEpoch() {
    c.defineCopyGroup(group(1, false));
    assertTrue(replica().applyAsSecondary(1, () -> {}), "a secondary applies write data");
    assertRefused(Reason.NOT_PRIMARY, () -> c.write("v", 1, 0, new byte[] {1}, false));

    c.defineCopyGroup(group(2, true));
    assertFalse(replica().applyAsSecondary(2, () -> {}), "stale: this copy is primary at 2");
    assertTrue(replica().applyAsSecondary(3, () -> {}), "a newer primary's data is not stale");
    c.write("v", 2, 0, new byte[] {1}, false);
    assertEquals(List.of(), sender.calls, "nothing to drain or hand over on the way up");
  }

  @Test
  void aDemotionDrainsWhileNoWriteCanStartAndThenHandsOver() throws Exception {
    c.defineCopyGroup(group(1, true));
    c.write("v", 1, 0, new byte[] {1}, false);
    sender.drainGate = new CountDownLatch(1);
    Future<OutOfSyncRegions> demotion =
        executor.submit(() -> c.defineCopyGroup(group(2, false), OutOfSyncRegions.NONE));
    sender.draining.await(10, TimeUnit.SECONDS);
    Future<?> write = executor.submit(() -> c.write("v", 1, 4096, new byte[] {2}, false));
    assertThrows(TimeoutException.class, () -> write.get(300, TimeUnit.MILLISECONDS));

    sender.drainGate.countDown();
    demotion.get(10, TimeUnit.SECONDS);
    ExecutionException e = assertThrows(ExecutionException.class, write::get);
    assertEquals(Reason.NOT_PRIMARY, ((StorageException) e.getCause()).reason());
    assertEquals(List.of("drain 1", "handOver 1"), sender.calls);
    assertEquals(1, sender.sent.size(), "the write that waited for the switch never reached it");
  }

  @Test
  void aDemotionWhoseDrainTimesOutHandsOverWhatOnlyThisCopyHolds() {
    c.defineCopyGroup(group(1, true));
    sender.secondariesSilent = true; // so the activity log cannot cool the region meanwhile
    c.write("v", 1, 0, new byte[] {1}, false); // its region is hot until the secondaries have it
    sender.drainFails = true;

    OutOfSyncRegions handedOver = c.defineCopyGroup(group(2, false), OutOfSyncRegions.NONE);

    assertTrue(handedOver.bytesOf(HERE) > 0, handedOver.toString());
    assertTrue(handedOver.regionsOf(HERE).get(0), handedOver.toString());
    assertEquals(List.of("drain 1", "handOver 1"), sender.calls);
  }

  @Test
  void aCopyThatMissesBytesIsNotMadePrimaryAndStaysSecondary() {
    c.defineCopyGroup(group(1, false));
    BitSet first = new BitSet();
    first.set(0);
    OutOfSyncRegions missedHere = new OutOfSyncRegions(4096, Map.of(HERE, first));

    assertRefused(Reason.INVALID_ARGUMENT, () -> c.defineCopyGroup(group(2, true), missedHere));

    assertRefused(Reason.NOT_PRIMARY, () -> c.write("v", 2, 0, new byte[] {1}, false));
    assertEquals(1, c.volume("v").orElseThrow().copyGroup().orElseThrow().epoch());
    assertEquals(List.of(), sender.calls, "nothing was inherited");
  }

  @Test
  void aNewPrimaryInheritsWhatTheOldOneHandedOver() {
    c.defineCopyGroup(group(1, false));
    BitSet first = new BitSet();
    first.set(0);
    OutOfSyncRegions missedThere = new OutOfSyncRegions(4096, Map.of(THERE, first));

    c.defineCopyGroup(group(2, true), missedThere);

    assertEquals(List.of("inherit 2 " + missedThere), sender.calls);
    c.write("v", 2, 0, new byte[] {1}, false);
  }

  private static void assertRefused(Reason reason, org.junit.jupiter.api.function.Executable call) {
    StorageException e = assertThrows(StorageException.class, call);
    assertEquals(reason, e.reason(), e.getMessage());
  }

  /** Records what the role change asks of remote copy; a drain can be held or made to fail. */
  private static final class RecordingSender implements WriteDataSender {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<WriteData> sent = new CopyOnWriteArrayList<>();
    final CountDownLatch draining = new CountDownLatch(1);
    volatile CountDownLatch drainGate = new CountDownLatch(0);
    volatile boolean drainFails;
    volatile boolean secondariesSilent;
    volatile ReplicaVolumes volumes;

    @Override
    public void start(ReplicaVolumes volumes, Executor executor) {
      this.volumes = volumes;
    }

    @Override
    public CompletionStage<Void> send(WriteData write) {
      sent.add(write);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> durable(CopyVolumeGroupInfo group, Duration timeout) {
      return secondariesSilent
          ? new CompletableFuture<>()
          : CompletableFuture.completedFuture(null);
    }

    @Override
    public void drain(CopyVolumeGroupInfo group) {
      calls.add("drain " + group.epoch());
      draining.countDown();
      try {
        drainGate.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (drainFails) {
        throw new StorageException(Reason.TIMEOUT, "the secondaries did not take it");
      }
    }

    @Override
    public OutOfSyncRegions handOver(CopyVolumeGroupInfo group) {
      calls.add("handOver " + group.epoch());
      return OutOfSyncRegions.NONE;
    }

    @Override
    public void inherit(CopyVolumeGroupInfo group, OutOfSyncRegions regions) {
      calls.add("inherit " + group.epoch() + " " + regions);
    }
  }
}
