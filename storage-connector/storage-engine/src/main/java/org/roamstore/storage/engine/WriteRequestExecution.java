package org.roamstore.storage.engine;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.Lock;
import org.roamstore.storage.activity.ActivityLog;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.replication.PendingRegions;
import org.roamstore.storage.replication.WriteData;
import org.roamstore.storage.replication.WriteDataSender;

/**
 * The write request execution (reference text, 133; Fig. 10): check that this unit is the primary
 * at the caller's epoch, store the data in the cache, hand it to the write data sender. The
 * returned future completes when the write may be acknowledged: at once for ASYNC groups; for SYNC
 * groups when every secondary has it, and the write is in this unit's file as well as its cache.
 */
final class WriteRequestExecution {
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final WriteDataSender sender;

  WriteRequestExecution(WriteDataSender sender) {
    this.sender = sender;
  }

  CompletableFuture<Void> write(
      CopyGroupReplica replica, long epoch, long offset, ByteBuffer data) {
    return execute(replica, epoch, offset, data.remaining(), data, false);
  }

  /**
   * Zeros a range; whole pages become a hole in the file unless {@code allocate}. Either way it
   * goes to the secondaries as a zero range, which they apply by punching where they can.
   */
  CompletableFuture<Void> writeZeroes(
      CopyGroupReplica replica, long epoch, long offset, long length, boolean allocate) {
    return execute(replica, epoch, offset, length, null, allocate);
  }

  private CompletableFuture<Void> execute(
      CopyGroupReplica replica,
      long epoch,
      long offset,
      long length,
      ByteBuffer data,
      boolean allocateZeroes) {
    Handed handed =
        replica.whileServing(
            epoch, group -> store(replica, group, offset, length, data, allocateZeroes));
    if (handed.group.transferType() != TransferType.SYNC) {
      return DONE;
    }
    // A SYNC acknowledgement says the write is at every copy: here that means in the file, not
    // only in the write-back cache, or a crash of this process alone would lose it while the
    // secondaries hold it, and the restart's resync from here would take it from them too.
    replica.volume.cache.writeOut(offset, length);
    return handed.sent.toCompletableFuture();
  }

  /** A write in the cache and handed to the sender, under the group it was admitted at. */
  private record Handed(CopyVolumeGroupInfo group, CompletionStage<Void> sent) {}

  private Handed store(
      CopyGroupReplica replica,
      CopyVolumeGroupInfo group,
      long offset,
      long length,
      ByteBuffer data,
      boolean allocateZeroes) {
    HostedVolume volume = replica.volume;
    volume.cache.checkRange(offset, length);
    // With secondaries, the order in which writes reach the cache must be the order in which
    // they are sent, or two overlapping writes in flight could end differently at each copy.
    Lock order = group.members().size() > 1 ? replica.writeOrder : null;
    // Hot before the bytes can reach the cache: a crash from here on resyncs these regions.
    ActivityLog.Ticket hot =
        order != null && volume.logsActivity ? volume.activity.begin(offset, length) : null;
    if (order != null) {
      order.lock();
    }
    try {
      ByteBuffer forSender = null;
      if (data != null) {
        forSender = data.asReadOnlyBuffer();
        volume.cache.write(offset, data);
      } else if (allocateZeroes) {
        volume.cache.writeAllocatedZeroes(offset, length);
      } else {
        volume.cache.writeZeroes(offset, length);
      }
      long sequence = replica.writeSequence.incrementAndGet();
      return new Handed(
          group,
          sender.send(new WriteData(group, volume.id(), sequence, offset, length, forSender)));
    } finally {
      if (order != null) {
        order.unlock();
        if (hot != null) {
          volume.activity.end(hot);
        }
      }
    }
  }

  /**
   * FLUSH of a volume: its dirty pages on disk here and, for a copy group with secondaries, every
   * write handed to the sender durable on its way to them (the broker's journal). Both run at once.
   */
  void flush(CopyGroupReplica replica) {
    CopyVolumeGroupInfo group = replica.group();
    CompletableFuture<Void> shipped =
        group == null || group.members().size() < 2
            ? DONE
            : sender.flush(group).toCompletableFuture();
    replica.volume.cache.flush();
    await(shipped);
  }

  /** What remote copy knows may be missing at the group's secondaries; changes nothing. */
  PendingRegions pending(CopyVolumeGroupInfo group) {
    return sender.pending(group);
  }

  /** Waits for a write to be acknowledgeable, turning a remote copy failure into a refusal. */
  static void await(CompletableFuture<Void> written) {
    try {
      written.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof StorageException se) {
        throw se;
      }
      throw new StorageException(
          Reason.IO_ERROR, "remote copy of the write failed: " + e.getCause(), e.getCause());
    }
  }
}
