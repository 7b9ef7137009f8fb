package org.roamstore.storage.api;

import java.util.List;
import java.util.Objects;

/**
 * How remote copy of one copy group stands, as the storage control unit holding {@code volume} sees
 * it.
 *
 * <p>At the primary, {@code secondaries} says per secondary how far it is behind. At a secondary
 * the list is empty and {@code applied} says how far this copy has come: the last write applied to
 * its cache and the last one also on its disk, in the primary's numbering.
 *
 * @param volume the real volume held here
 * @param groupId the copy group
 * @param role this member's role
 * @param epoch the epoch this unit holds for the group
 * @param transferType SYNC or ASYNC
 * @param secondaries at the primary, one entry per secondary; empty at a secondary
 * @param applied at a secondary, what it has applied; {@code null} at the primary
 */
public record CopyGroupStatus(
    RealVolumeAddress volume,
    String groupId,
    Role role,
    long epoch,
    TransferType transferType,
    List<SecondaryStatus> secondaries,
    Applied applied) {

  public CopyGroupStatus {
    Objects.requireNonNull(volume, "volume");
    Objects.requireNonNull(role, "role");
    secondaries = List.copyOf(secondaries);
  }

  /** This member's part in the group. */
  public enum Role {
    PRIMARY,
    SECONDARY
  }

  /** Where one secondary stands, from its primary's point of view. */
  public enum State {
    /**
     * Every write sent to it is applied, no region is marked for it, and its last verify (if any)
     * found no difference left unrepaired; SYNC writes wait for it.
     */
    IN_SYNC,
    /** Writes are on their way (ASYNC, or a SYNC write being acknowledged). */
    LAGGING,
    /**
     * It stopped answering (the regions written since are tracked, nothing is sent to it), or a
     * verify found regions that differ and were not repaired.
     */
    OUT_OF_SYNC,
    /** It answers again and the tracked regions are being copied to it. */
    RESYNCING
  }

  /**
   * One secondary as its primary sees it.
   *
   * @param storageSystem the secondary's storage system
   * @param state see {@link State}
   * @param lagWrites writes sent or queued for it and not yet applied there
   * @param lagBytes bytes of those writes
   * @param estimatedSeconds time to catch up at the recently observed rate; -1 if unknown
   * @param outOfSyncBytes bytes of regions still to resynchronise (0 unless out of sync or
   *     resyncing)
   * @param resyncPercent progress of a resync, 0-100 (100 when nothing is to resync)
   * @param verify the running or last online verify of it; null if it was never verified
   */
  public record SecondaryStatus(
      String storageSystem,
      State state,
      long lagWrites,
      long lagBytes,
      double estimatedSeconds,
      long outOfSyncBytes,
      int resyncPercent,
      VerifyStatus verify) {}

  /**
   * What a secondary has applied of its primary's stream.
   *
   * @param fromEpoch epoch of the stream
   * @param sequence the last write applied to the cache
   * @param durableSequence the last write also on disk here (or still redeliverable by the broker)
   */
  public record Applied(long fromEpoch, long sequence, long durableSequence) {}
}
