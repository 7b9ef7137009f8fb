package org.roamstore.storage.replication;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.roamstore.storage.api.CacheSynchronization;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.api.VerifyRequest;

/**
 * The write data send process (reference text, 134; Fig. 10 and 11). Called by the write request
 * execution after the data is in the primary's cache, while the copy group cannot change.
 *
 * <p>For a {@code SYNC} group the write is acknowledged only when the returned stage completes,
 * which the sender does once every secondary has stored the data (Fig. 10). For an {@code ASYNC}
 * group the write is acknowledged at once and the stage is ignored; the sender queues the data and
 * ships it in sequence order, several batches in flight (Fig. 11). A failed stage fails the write.
 *
 * <p>A sender with remote copy also runs the receiving side (Fig. 12) for the volumes this unit
 * holds as secondaries; {@link #start} hands it those volumes and the threads to run on.
 */
public interface WriteDataSender {
  /**
   * The unit in which a secondary is marked out of sync and a resync copies: a new member's first
   * copy counts the regions holding data in these, since finer ones would copy no less.
   */
  int RESYNC_REGION_BYTES = 1 << 20;

  CompletionStage<Void> send(WriteData write);

  /**
   * Returns once everything handed over for the group has reached every secondary: the "synchronize
   * cache" step before a change of primary (Fig. 9). Fails with {@link Reason#TIMEOUT} after a
   * short bound rather than wait forever; the control unit demotes itself all the same.
   */
  void drain(CopyVolumeGroupInfo group);

  /** Starts the send and receive processes; called once, after the volumes are loaded. */
  default void start(ReplicaVolumes volumes, Executor executor) {}

  /**
   * Part of a FLUSH of a primary volume: completes once every write handed over before is durable
   * on its way to the secondaries (in the broker's journal), so a FLUSH means durable everywhere.
   */
  default CompletionStage<Void> flush(CopyVolumeGroupInfo group) {
    return CompletableFuture.completedStage(null);
  }

  /**
   * Completes once every write handed over for the group is on the disk of every secondary that is
   * in sync (one that is not has the regions recorded); fails with {@link Reason#TIMEOUT} after
   * {@code timeout}. The activity log cools regions on it.
   */
  default CompletionStage<Void> durable(CopyVolumeGroupInfo group, Duration timeout) {
    return CompletableFuture.completedStage(null);
  }

  /** Synchronize cache on request of the directory or an operator (Fig. 9 steps 904 and 912). */
  default CacheSynchronization synchronizeCache(
      CopyVolumeGroupInfo group, Set<String> secondaries, Duration timeout) {
    throw new StorageException(Reason.UNSUPPORTED, "this storage control unit has no remote copy");
  }

  /**
   * What the secondaries of a group this unit is (or was last) primary of miss: the regions to hand
   * to the next primary when this one is demoted.
   */
  default OutOfSyncRegions handOver(CopyVolumeGroupInfo group) {
    return OutOfSyncRegions.NONE;
  }

  /**
   * Takes over, durably, what the previous primary's secondaries missed, now that this unit is the
   * primary of {@code group}: they are resynchronised from here when they answer.
   */
  default void inherit(CopyVolumeGroupInfo group, OutOfSyncRegions regions) {
    if (!regions.isEmpty()) {
      throw new StorageException(
          Reason.UNSUPPORTED,
          "this storage control unit has no remote copy to resynchronise " + regions.secondaries());
    }
  }

  /**
   * Secondaries joined {@code group}, of which this unit stays the primary, at the same epoch (a
   * copy added online): they get write data from now on, and the regions {@code missing} says they
   * lack are copied to them (durably marked: a restart resumes the copy).
   */
  default void joined(CopyVolumeGroupInfo group, OutOfSyncRegions missing) {
    inherit(group, missing);
  }

  /**
   * What may not yet be at every secondary of a group this unit is the primary of, as remote copy
   * knows it (see {@link PendingRegions}); read-only. Without remote copy the secondaries of a
   * group are never updated, so anything may be missing there.
   */
  default PendingRegions pending(CopyVolumeGroupInfo group) {
    return group.members().size() < 2 ? PendingRegions.NONE : PendingRegions.ANYWHERE;
  }

  /**
   * Starts an online verify of a group this unit is the primary of (see {@link VerifyRequest}); its
   * progress and result show in {@link #status}.
   */
  default void verify(CopyVolumeGroupInfo group, VerifyRequest request) {
    throw new StorageException(Reason.UNSUPPORTED, "this storage control unit has no remote copy");
  }

  /** How remote copy of the group stands here; {@code volume} is the member this unit holds. */
  default CopyGroupStatus status(ReplicaVolume volume) {
    throw new StorageException(Reason.UNSUPPORTED, "this storage control unit has no remote copy");
  }

  /** Ships what is queued (bounded in time), stops the processes; the unit closes right after. */
  default void close() {}
}
