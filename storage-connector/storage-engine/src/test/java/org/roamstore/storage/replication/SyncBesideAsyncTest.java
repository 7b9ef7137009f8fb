package org.roamstore.storage.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roamstore.storage.replication.RemoteCopySites.MIB;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyGroupStatus.State;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.engine.StorageControlUnit;

/**
 * A SYNC volume and an ASYNC volume with the same primary and secondary: the SYNC writes must not
 * wait behind the ASYNC backlog on its way to the secondary.
 */
class SyncBesideAsyncTest {
  private static final int ASYNC_WRITES = 16;

  @TempDir Path root;

  /**
   * The secondary's checkpoint is held back: once a checkpoint's worth of ASYNC data is applied,
   * its receive loop waits for that checkpoint (bounded memory), and the rest of the ASYNC backlog
   * stays in the broker and the consumer's buffer. A SYNC write must still be applied there and
   * complete. When SYNC batches shared the ASYNC queue and loop, it waited for the checkpoint.
   */
  @Test
  void aSyncWriteIsAppliedWhileAnAsyncBacklogToTheSameSecondaryWaits() throws Exception {
    RemoteCopySettings settings =
        new RemoteCopySettings(
            Duration.ofSeconds(120), // no SYNC timeout (it would complete a stuck write)
            Duration.ofSeconds(60),
            1 << 20,
            64L << 20,
            Duration.ofHours(1), // only the checkpoints that bytes or markers ask for
            1L << 20,
            Duration.ofSeconds(30),
            0);
    try (WriteDataReceiveTest.HeldTask portlandThreads = new WriteDataReceiveTest.HeldTask();
        RemoteCopySites sites = RemoteCopySites.withEmbeddedBroker(root, settings)) {
      StorageControlUnit seattle = sites.open("seattle");
      sites.open("portland", portlandThreads);
      sites.create(
          RemoteCopySites.group(
              "a",
              TransferType.ASYNC,
              SyncFailurePolicy.MARK_OUT_OF_SYNC,
              "seattle",
              "seattle",
              "portland"),
          32 * MIB);
      sites.create(
          RemoteCopySites.group(
              "s",
              TransferType.SYNC,
              SyncFailurePolicy.MARK_OUT_OF_SYNC,
              "seattle",
              "seattle",
              "portland"),
          4 * MIB);
      try (StorageConnection primary = seattle.connect();
          StorageConnection secondary = sites.unit("portland").connect()) {
        primary.write("s", 1, 0, page(0x11), false); // the SYNC stream starts, before any backlog

        portlandThreads.holdNext();
        byte[] mib = new byte[MIB];
        for (int i = 0; i < ASYNC_WRITES; i++) {
          Arrays.fill(mib, (byte) (i + 1));
          primary.write("a", 1, (long) i * MIB, mib, false);
        }
        assertTrue(
            portlandThreads.awaitHeld().getClass().getName().endsWith("Checkpoint"),
            "the task held is portland's first checkpoint, begun after 1 MiB of ASYNC data");

        CompletableFuture<Void> syncWrite =
            CompletableFuture.runAsync(() -> primary.write("s", 1, 4096, page(0x22), false));
        syncWrite.get(30, TimeUnit.SECONDS);

        long asyncApplied = applied(secondary, "a");
        assertTrue(
            asyncApplied < ASYNC_WRITES,
            "the ASYNC backlog is still unapplied (" + asyncApplied + " of " + ASYNC_WRITES + ")");
        assertEquals(2, applied(secondary, "s"), "both SYNC writes are in portland's cache");
        assertEquals(
            State.IN_SYNC,
            RemoteCopySites.secondary(primary.copyGroupStatus("s"), "portland").state(),
            "the SYNC write completed because portland has it, not because it was dropped");

        portlandThreads.release();
        primary.synchronizeCache("a", Set.of(), Duration.ofSeconds(60));
        primary.synchronizeCache("s", Set.of(), Duration.ofSeconds(60));
      }
      for (String volume : new String[] {"a", "s"}) {
        assertEquals(
            sites.checksum("seattle", volume),
            sites.checksum("portland", volume),
            sites.differences("seattle", "portland", volume));
      }
    }
  }

  private static long applied(StorageConnection secondary, String volume) {
    CopyGroupStatus.Applied applied = secondary.copyGroupStatus(volume).applied();
    return applied == null ? 0 : applied.sequence();
  }

  private static byte[] page(int value) {
    byte[] data = new byte[4096];
    Arrays.fill(data, (byte) value);
    return data;
  }
}
