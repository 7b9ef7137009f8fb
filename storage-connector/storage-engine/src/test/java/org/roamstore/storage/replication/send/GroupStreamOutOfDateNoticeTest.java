package org.roamstore.storage.replication.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 * A secondary that misses the SYNC timeout is told it is out of date before any write it lacks is
 * acknowledged, driven by hand (the test plays the send process, the broker and the secondaries).
 * Without the notice a copy left behind shows the last write it got as a whole copy, and a forced
 * takeover to it after the primary's crash loses acknowledged writes without anyone knowing.
 */
class GroupStreamOutOfDateNoticeTest {
  private static final int WRITE = 4096;
  private static final StreamKey STREAM = new StreamKey(1, 1);
  private static final Duration TIMEOUT = Duration.ofMillis(50);

  @TempDir Path root;
  private GroupStream stream;
  private CopyVolumeGroupInfo group;

  @BeforeEach
  void syncGroupWithTwoSecondaries() throws Exception {
    stream =
        new GroupStream(
            "g",
            1,
            RemoteCopySettings.DEFAULTS.withSyncTimeout(TIMEOUT),
            OutOfSyncMap.load(root.resolve("g.resync")),
            () -> {});
    group =
        new CopyVolumeGroupInfo(
            "g",
            TransferType.SYNC,
            1,
            List.of(
                new CopyGroupMember(new RealVolumeAddress("seattle", "v"), true),
                new CopyGroupMember(new RealVolumeAddress("portland", "v"), false),
                new CopyGroupMember(new RealVolumeAddress("sanfrancisco", "v"), false)),
            SyncFailurePolicy.MARK_OUT_OF_SYNC);
  }

  @Test
  void aWriteAcknowledgedWithoutASecondaryWaitsUntilTheBrokerHoldsItsNotice() throws Exception {
    CompletableFuture<Void> first = stream.append(write(0));
    commit(take());
    acknowledge("portland", 1);
    assertFalse(first.isDone(), "sanfrancisco has not answered yet");

    Thread.sleep(TIMEOUT.toMillis() * 2);
    stream.tick(null); // sanfrancisco missed its timeout: out of sync
    assertFalse(first.isDone(), "acknowledged only once sanfrancisco can learn it is out of date");
    CompletableFuture<Void> second = stream.append(write(1));
    assertFalse(second.isDone(), "a write sanfrancisco will miss waits for the notice as well");

    List<Shipment> shipped = take();
    Shipment notice = to("sanfrancisco", shipped);
    assertTrue(notice.persistent(), "in the broker's journal, which outlives the primary");
    BatchFormat.Header h = notice.header("seattle");
    assertTrue(h.resyncing(), "the notice says the copy is out of date");
    assertTrue(h.checkpoint(), "and asks the secondary to save that at once");
    assertEquals(1, h.lastWrite(), "as of the last write the primary sent it");

    commit(shipped);
    assertTrue(first.isDone(), "the broker holds the notice: the first write is acknowledged");
    acknowledge("portland", 2);
    assertTrue(second.isDone(), "the second once portland, the one in sync, has it");
  }

  @Test
  void whenTheBrokerDoesNotTakeTheNoticeTheWritesGoOnAfterAnotherTimeout() throws Exception {
    CompletableFuture<Void> first = stream.append(write(0));
    commit(take());
    acknowledge("portland", 1);
    Thread.sleep(TIMEOUT.toMillis() * 2);
    stream.tick(null);
    take(); // the notice is taken but never committed: the broker went away

    stream.tick(null);
    assertFalse(first.isDone(), "the notice's own timeout has not passed");
    Thread.sleep(TIMEOUT.toMillis() * 2);
    stream.tick(null);
    assertTrue(first.isDone(), "the group's policy goes on without it (logged as a possible loss)");
  }

  @Test
  void aFlushDoesNotCompleteForAnOutOfSyncSecondaryBeforeItsNoticeIsInTheBroker() throws Exception {
    stream.append(write(0));
    commit(take());
    acknowledge("portland", 1);
    Thread.sleep(TIMEOUT.toMillis() * 2);
    stream.tick(null);

    CompletableFuture<Void> flushed = stream.flush();
    List<Shipment> shipped = take();
    commit(shipped.stream().filter(s -> s.storageSystem().equals("portland")).toList());
    acknowledge("portland", 2, 2); // the flush's marker, on portland's disk
    assertFalse(flushed.isDone(), "sanfrancisco's notice is not in the broker yet");
    commit(List.of(to("sanfrancisco", shipped)));
    assertTrue(flushed.isDone());
  }

  private List<Shipment> take() {
    List<Shipment> batches = new ArrayList<>();
    stream.takeReady(batches, 64, false); // the write data queue
    stream.takeReady(batches, 64, true); // the SYNC lane
    return batches;
  }

  private void commit(List<Shipment> batches) {
    stream.committed(batches);
  }

  private static Shipment to(String secondary, List<Shipment> shipped) {
    return shipped.stream()
        .filter(s -> s.storageSystem().equals(secondary))
        .reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("nothing shipped to " + secondary));
  }

  private void acknowledge(String from, long applied) {
    acknowledge(from, applied, 0);
  }

  private void acknowledge(String from, long applied, long durable) {
    stream.acknowledged(new BatchFormat.Ack("g", STREAM, from, applied, durable));
  }

  private WriteData write(int n) {
    return new WriteData(
        group, "v", n + 1, (long) n * WRITE, WRITE, ByteBuffer.wrap(new byte[WRITE]));
  }
}
