package org.roamstore.storage.replication.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.replication.RemoteCopySettings;
import org.roamstore.storage.replication.WriteData;
import org.roamstore.storage.replication.batch.BatchFormat;
import org.roamstore.storage.replication.batch.StreamKey;

/**
 * SYNC group commit, driven by hand (the test plays the send process and the secondary): while
 * {@link SecondaryStream.SYNC_BATCHES_IN_FLIGHT} batches await the secondary's acknowledgement, new
 * writes gather in one batch, and the acknowledgement that frees a place sends them together.
 */
class GroupStreamGroupCommitTest {
  private static final int WRITE = 4096;
  private static final StreamKey STREAM = new StreamKey(1, 1);

  @TempDir Path root;
  private final AtomicInteger wakeUps = new AtomicInteger();
  private GroupStream stream;
  private CopyVolumeGroupInfo group;

  @BeforeEach
  void syncGroupWithOneSecondary() throws Exception {
    stream =
        new GroupStream(
            "g",
            1,
            RemoteCopySettings.DEFAULTS,
            OutOfSyncMap.load(root.resolve("g.resync")),
            wakeUps::incrementAndGet);
    group =
        new CopyVolumeGroupInfo(
            "g",
            TransferType.SYNC,
            1,
            List.of(
                new CopyGroupMember(new RealVolumeAddress("seattle", "v"), true),
                new CopyGroupMember(new RealVolumeAddress("portland", "v"), false)),
            SyncFailurePolicy.MARK_OUT_OF_SYNC);
  }

  @Test
  void writesGatherWhileBatchesAwaitTheSecondaryAndTravelTogetherWhenOneIsAcknowledged() {
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    for (int i = 0; i < SecondaryStream.SYNC_BATCHES_IN_FLIGHT; i++) {
      writes.add(stream.append(write(i)));
      assertEquals(List.of(range(i + 1, i + 1)), ship(), "below the limit a write goes at once");
    }

    int wakeUpsBefore = wakeUps.get();
    for (int i = SecondaryStream.SYNC_BATCHES_IN_FLIGHT; i < 10; i++) {
      writes.add(stream.append(write(i)));
    }
    assertEquals(wakeUpsBefore, wakeUps.get(), "held writes do not wake the send process");
    assertEquals(List.of(), ship(), "the writes gather while the limit is reached");

    acknowledge(1);
    assertTrue(writes.get(0).isDone(), "the acknowledged write completes");
    assertEquals(wakeUpsBefore + 1, wakeUps.get(), "a place came free: the sender is woken");
    long firstHeld = SecondaryStream.SYNC_BATCHES_IN_FLIGHT + 1;
    assertEquals(List.of(range(firstHeld, 10)), ship(), "the gathered writes go in one batch");
    for (int i = 1; i < 10; i++) {
      assertFalse(writes.get(i).isDone(), "write " + (i + 1) + " waits for its acknowledgement");
    }

    acknowledge(10);
    writes.forEach(w -> assertTrue(w.isDone()));
  }

  @Test
  void aFlushMarkerIsNotHeldBack() {
    for (int i = 0; i < SecondaryStream.SYNC_BATCHES_IN_FLIGHT; i++) {
      stream.append(write(i));
      ship();
    }
    stream.append(write(5));
    CompletableFuture<Void> flushed = stream.flush();
    List<String> shipped = ship();
    long held = SecondaryStream.SYNC_BATCHES_IN_FLIGHT + 1;
    assertEquals(List.of(range(held, held + 1)), shipped, "the write and the marker go now");
    assertFalse(flushed.isDone(), "the flush waits for the secondary's disk");
  }

  @Test
  void theLaneHandsAStreamsStartToTheSendProcessAndTakesWhatFollowsItsApplication() {
    stream.append(write(0));
    List<Shipment> lane = new ArrayList<>();
    assertTrue(stream.takeReady(lane, 64, true), "the stream's start is the send process's");
    assertEquals(List.of(), lane, "the lane takes nothing before the stream started");
    List<Shipment> dataQueue = new ArrayList<>();
    assertFalse(stream.takeReady(dataQueue, 64, false), "nothing is left for the lane");
    assertEquals(1, dataQueue.size(), "the start goes through the write data queue");
    stream.committed(dataQueue);

    acknowledge(1);
    stream.append(write(1));
    assertTrue(
        stream.takeReady(new ArrayList<>(), 64, false), "once applied, the next is the lane's");
    assertFalse(stream.takeReady(lane, 64, true), "the lane takes it");
    assertEquals(1, lane.size());
  }

  /** Takes the ready batches as the send process would, and has the broker take them. */
  private List<String> ship() {
    List<Shipment> batches = new ArrayList<>();
    stream.takeReady(batches, 64, false); // the write data queue
    stream.takeReady(batches, 64, true); // the SYNC lane
    stream.committed(batches);
    List<String> ranges = new ArrayList<>();
    for (Shipment s : batches) {
      ranges.add(range(s.batch().first, s.batch().last));
    }
    return ranges;
  }

  private void acknowledge(long applied) {
    stream.acknowledged(new BatchFormat.Ack("g", STREAM, "portland", applied, 0));
  }

  private static String range(long first, long last) {
    return first + "-" + last;
  }

  private WriteData write(int n) {
    return new WriteData(
        group, "v", n + 1, (long) n * WRITE, WRITE, ByteBuffer.wrap(new byte[WRITE]));
  }
}
