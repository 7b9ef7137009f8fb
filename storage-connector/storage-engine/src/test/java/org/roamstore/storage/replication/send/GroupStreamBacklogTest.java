package org.roamstore.storage.replication.send;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyGroupStatus.SecondaryStatus;
import org.roamstore.storage.api.CopyGroupStatus.State;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.replication.RemoteCopySettings;
import org.roamstore.storage.replication.WriteData;

/**
 * Back-pressure of a secondary's backlog, driven by hand: the test plays the send process (takes
 * batches and reports them committed), so no broker is needed and nothing depends on timing.
 */
@Timeout(120)
class GroupStreamBacklogTest {
  private static final int WRITE = 128 * 1024;
  private static final long BOUND = 3L * WRITE;

  @TempDir Path root;

  @Test
  void aWriterWaitsWhileTheBacklogIsOverTheBoundAndGoesOnWhenItDrains() throws Exception {
    GroupStream stream = stream(Duration.ofMinutes(10));
    CopyVolumeGroupInfo group = group(TransferType.ASYNC, SyncFailurePolicy.MARK_OUT_OF_SYNC);
    append(stream, group, 3);
    assertEquals(0, stream.backlogWaits(), "three writes fill the backlog without waiting");

    CompletableFuture<Void> fourth =
        CompletableFuture.runAsync(() -> stream.append(write(group, 3)));
    await().atMost(Duration.ofSeconds(30)).until(() -> stream.backlogWaits() == 1);
    assertFalse(fourth.isDone(), "the writer waits for the broker to take the backlog");
    assertEquals(State.LAGGING, portland(stream).state(), "in sync, not dropped");

    List<Shipment> batches = new ArrayList<>();
    stream.takeReady(batches, 64, false); // the write data queue
    stream.takeReady(batches, 64, true); // the SYNC lane
    stream.committed(batches);
    fourth.get(30, TimeUnit.SECONDS);
    SecondaryStatus status = portland(stream);
    assertEquals(State.LAGGING, status.state(), status.toString());
    assertEquals(4, status.lagWrites(), "every write is in the stream: " + status);
    assertEquals(0, status.outOfSyncBytes(), status.toString());
  }

  @Test
  void afterTheTimeLimitTheSecondaryGoesOutOfSyncWithItsRegionsMarked() throws Exception {
    GroupStream stream = stream(Duration.ofMillis(1));
    CopyVolumeGroupInfo group = group(TransferType.ASYNC, SyncFailurePolicy.MARK_OUT_OF_SYNC);
    append(stream, group, 4); // the last one waits out the limit
    SecondaryStatus status = portland(stream);
    assertEquals(State.OUT_OF_SYNC, status.state(), status.toString());
    assertTrue(status.outOfSyncBytes() > 0, status.toString());
    assertEquals(1, stream.backlogWaits());
  }

  @Test
  void aSyncGroupThatFailsWritesRefusesTheWriteAfterTheTimeLimit() throws Exception {
    GroupStream stream = stream(Duration.ofMillis(1));
    CopyVolumeGroupInfo group = group(TransferType.SYNC, SyncFailurePolicy.FAIL_WRITES);
    for (int i = 0; i < 3; i++) {
      stream.append(write(group, i)); // not acknowledged by anyone: their futures stay open
    }
    assertThrows(StorageException.class, () -> stream.append(write(group, 3)));
  }

  /** Appends {@code n} ASYNC writes; they complete at once (after the back-pressure, if any). */
  private static void append(GroupStream stream, CopyVolumeGroupInfo group, int n)
      throws Exception {
    for (int i = 0; i < n; i++) {
      stream.append(write(group, i)).get(30, TimeUnit.SECONDS);
    }
  }

  private GroupStream stream(Duration wait) throws Exception {
    RemoteCopySettings settings = RemoteCopySettings.DEFAULTS.withBacklog(BOUND, wait);
    return new GroupStream("g", 1, settings, OutOfSyncMap.load(root.resolve("g.resync")), () -> {});
  }

  private static CopyVolumeGroupInfo group(TransferType type, SyncFailurePolicy policy) {
    return new CopyVolumeGroupInfo(
        "g",
        type,
        1,
        List.of(
            new CopyGroupMember(new RealVolumeAddress("seattle", "v"), true),
            new CopyGroupMember(new RealVolumeAddress("portland", "v"), false)),
        policy);
  }

  private static WriteData write(CopyVolumeGroupInfo group, int n) {
    return new WriteData(
        group, "v", n + 1, (long) n * WRITE, WRITE, ByteBuffer.wrap(new byte[WRITE]));
  }

  private static SecondaryStatus portland(GroupStream stream) {
    return stream.statusOf().get(0);
  }
}
