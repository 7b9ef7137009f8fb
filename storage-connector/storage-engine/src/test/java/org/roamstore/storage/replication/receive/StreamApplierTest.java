package org.roamstore.storage.replication.receive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.replication.RemoteCopySettings;
import org.roamstore.storage.replication.ReplicaVolume;
import org.roamstore.storage.replication.ReplicaVolumes;
import org.roamstore.storage.replication.batch.BatchEntry;
import org.roamstore.storage.replication.batch.BatchFormat;
import org.roamstore.storage.replication.batch.StreamKey;

/**
 * The secondary's rules for a batch, without a broker: in order, never twice, never from an older
 * stream, never into a copy that is the primary, and a batch behind a gap waits.
 */
class StreamApplierTest {
  private static final String GROUP = "g";
  private static final StreamKey STREAM = new StreamKey(2, 1);

  @TempDir Path dir;

  private final MemoryVolume volume = new MemoryVolume(false);
  private final CheckpointPlan plan = new CheckpointPlan(RemoteCopySettings.DEFAULTS);

  @Test
  void batchesApplyInOrderAndABatchBehindAGapWaits() {
    StreamApplier applier = applier(volume);
    assertFalse(applier.offer(header(STREAM, 3, 3), write(0x33), false, plan), "a gap: waits");
    assertEquals(0, volume.data[0]);
    assertTrue(applier.offer(header(STREAM, 1, 2), writes(0x11, 0x22), false, plan));
    assertTrue(applier.offer(header(STREAM, 3, 3), write(0x33), false, plan));
    assertEquals(0x33, volume.data[0], "the last write in the stream's order wins");
    CopyGroupStatus.Applied applied = applier.applied(GROUP);
    assertEquals(3, applied.sequence());
    assertEquals(0, applied.durableSequence(), "nothing is durable before a checkpoint");
    assertFalse(plan.onlyMarkersAsked(), "data was written: a checkpoint must flush it");
  }

  @Test
  void aRedeliveredBatchIsSkippedButAcknowledgedAgain() {
    StreamApplier applier = applier(volume);
    assertTrue(applier.offer(header(STREAM, 1, 1), write(0x11), false, plan));
    applier.takeAcknowledgements();
    volume.data[0] = 0x7f; // a later write the redelivery must not undo
    assertTrue(applier.offer(header(STREAM, 1, 1), write(0x11), false, plan), "settled");
    assertEquals(0x7f, volume.data[0]);
    List<StreamApplier.Acknowledgement> acks = applier.takeAcknowledgements();
    assertEquals(1, acks.size(), "the primary may need to hear again");
    assertEquals("seattle", acks.get(0).to());
    assertEquals(1, acks.get(0).ack().applied());
  }

  @Test
  void aBatchOfAnOlderStreamIsRefusedAndChangesNothing() {
    StreamApplier applier = applier(volume);
    assertTrue(applier.offer(header(STREAM, 1, 1), write(0x11), false, plan));
    StreamKey older = new StreamKey(1, 9);
    assertTrue(applier.offer(header(older, 2, 2), write(0x66), false, plan), "settled: refused");
    assertEquals(0x11, volume.data[0]);
    assertEquals(STREAM.epoch(), applier.applied(GROUP).fromEpoch());
  }

  @Test
  void theLaneNeverStartsAStream() {
    StreamApplier applier = applier(volume);
    assertFalse(applier.offer(header(STREAM, 1, 1), write(0x11), true, plan));
    assertTrue(applier.offer(header(STREAM, 1, 1), write(0x11), false, plan));
    assertTrue(applier.offer(header(STREAM, 2, 2), write(0x22), true, plan));
  }

  @Test
  void aCopyThatIsThePrimaryRefusesWriteData() {
    MemoryVolume primary = new MemoryVolume(true);
    StreamApplier applier = applier(primary);
    assertTrue(applier.offer(header(STREAM, 1, 1), write(0x11), false, plan), "settled: refused");
    assertEquals(0, primary.data[0]);
    assertNull(applier.applied(GROUP));
  }

  @Test
  void aNoticeHeldBehindAGapSaysOutOfDateAtOnce() {
    StreamApplier applier = applier(volume);
    assertTrue(applier.offer(header(STREAM, 1, 1), write(0x11), false, plan));
    assertFalse(applier.applied(GROUP).resyncing());
    BatchFormat.Header notice =
        new BatchFormat.Header(GROUP, STREAM, "seattle", 5, 5, true, 9, true);
    assertFalse(applier.offer(notice, List.of(new BatchEntry(0, 0, null)), false, plan));
    applier.toldOutOfDate(notice);
    assertTrue(applier.applied(GROUP).resyncing(), "out of date while the gap is open");
  }

  @Test
  void aCheckpointMakesWhatItSavedDurable() {
    StreamApplier applier = applier(volume);
    assertTrue(applier.offer(header(STREAM, 1, 2), writes(0x11, 0x22), false, plan));
    Checkpoint c = plan.begin(applier.changedStreams(), System.nanoTime());
    c.run();
    assertNull(c.failure());
    assertEquals(1, volume.flushes);
    applier.durable(c);
    assertEquals(2, applier.applied(GROUP).durableSequence());
    assertTrue(applier.changedStreams().isEmpty(), "saved: nothing changed since");
    StreamApplier restarted = applier(volume);
    assertEquals(2, restarted.applied(GROUP).sequence(), "read back from its file");
  }

  private StreamApplier applier(MemoryVolume v) {
    return new StreamApplier(
        new ReplicaVolumes() {
          @Override
          public String storageSystem() {
            return "portland";
          }

          @Override
          public Path stateDirectory() {
            return dir;
          }

          @Override
          public Optional<ReplicaVolume> byGroup(String groupId) {
            return GROUP.equals(groupId) ? Optional.of(v) : Optional.empty();
          }

          @Override
          public List<ReplicaVolume> all() {
            return List.of(v);
          }
        });
  }

  private static BatchFormat.Header header(StreamKey stream, long first, long last) {
    return new BatchFormat.Header(GROUP, stream, "seattle", first, last, false, last, false);
  }

  private static List<BatchEntry> write(int value) {
    return writes(value);
  }

  /** One 4 KiB write at offset 0 per value. */
  private static List<BatchEntry> writes(int... values) {
    return Arrays.stream(values)
        .mapToObj(
            v -> {
              byte[] page = new byte[4096];
              Arrays.fill(page, (byte) v);
              return new BatchEntry(0, page.length, ByteBuffer.wrap(page));
            })
        .toList();
  }

  /** A secondary's copy (or, {@code primary}, the primary's) in memory. */
  private static final class MemoryVolume implements ReplicaVolume {
    final byte[] data = new byte[64 * 1024];
    final boolean primary;
    int flushes;

    MemoryVolume(boolean primary) {
      this.primary = primary;
    }

    @Override
    public RealVolumeAddress address() {
      return new RealVolumeAddress("portland", "v");
    }

    @Override
    public CopyVolumeGroupInfo group() {
      return new CopyVolumeGroupInfo(
          GROUP,
          TransferType.ASYNC,
          STREAM.epoch(),
          List.of(
              new CopyGroupMember(new RealVolumeAddress("seattle", "v"), !primary),
              new CopyGroupMember(address(), primary)));
    }

    @Override
    public long sizeBytes() {
      return data.length;
    }

    @Override
    public boolean applyAsSecondary(long epoch, Runnable apply) {
      if (primary) {
        return false;
      }
      apply.run();
      return true;
    }

    @Override
    public void write(long offset, ByteBuffer src) {
      src.get(data, (int) offset, src.remaining());
    }

    @Override
    public void writeZeroes(long offset, long length) {
      Arrays.fill(data, (int) offset, (int) (offset + length), (byte) 0);
    }

    @Override
    public void read(long offset, ByteBuffer dst) {
      dst.put(data, (int) offset, dst.remaining());
    }

    @Override
    public void readStored(long offset, ByteBuffer dst) {
      read(offset, dst);
    }

    @Override
    public boolean atStreamPoint(Runnable atPoint) {
      atPoint.run();
      return true;
    }

    @Override
    public void flush() {
      flushes++;
    }
  }
}
