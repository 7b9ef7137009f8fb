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
   * What a secondary has applied of its primary's stream: its data generation. Copies of one group
   * compare these to tell which is the most current when the primary is gone.
   *
   * @param fromEpoch epoch of the stream
   * @param sequence the last entry applied to the cache, in the stream's numbering for this
   *     secondary (the primary numbers each secondary's stream on its own)
   * @param durableSequence the last entry also on disk here (or still redeliverable by the broker)
   * @param incarnation which start of the primary's storage control unit sent the stream
   * @param lastWrite the primary's number of the last write applied here, the same for every
   *     secondary of one stream; -1 if unknown (applied before this was recorded)
   * @param resyncing whether the last batch applied came while this copy was out of date: the
   *     primary had marked it out of sync (it went on without it, and told it so before
   *     acknowledging any write it missed) or was still copying regions it missed. Then it may lack
   *     writes older than {@code lastWrite}, and writes after it that were acknowledged
   */
  public record Applied(
      long fromEpoch,
      long sequence,
      long durableSequence,
      long incarnation,
      long lastWrite,
      boolean resyncing) {

    /** A position without a data generation (unknown last write). */
    public Applied(long fromEpoch, long sequence, long durableSequence) {
      this(fromEpoch, sequence, durableSequence, 0, -1, false);
    }

    /**
     * Whether this copy holds every write {@code other} holds, and more: a newer epoch's stream, or
     * in the same epoch a newer start of the primary (once resynced), or in the same stream a later
     * write, or the same write but complete where {@code other} is still being resynced. {@code
     * other} null (nothing applied, or unknown) is behind anything applied. Where a position is
     * unknown in a stream both have, neither is ahead: nobody can tell.
     */
    public boolean isAheadOf(Applied other) {
      if (other == null) {
        return true;
      }
      if (fromEpoch != other.fromEpoch) {
        return fromEpoch > other.fromEpoch;
      }
      if (incarnation != other.incarnation) {
        // A restarted primary resyncs what was hot at its crash: until that is done, a copy of
        // its new stream may lack what a copy of the old one has.
        return incarnation > other.incarnation && !resyncing;
      }
      if (lastWrite < 0 || other.lastWrite < 0) {
        return false;
      }
      if (resyncing != other.resyncing) {
        // Complete beats resyncing only if it has at least as many writes; otherwise each may
        // hold what the other lacks, and neither is ahead.
        return !resyncing && lastWrite >= other.lastWrite;
      }
      return lastWrite > other.lastWrite;
    }

    /**
     * Whether both copies hold the same writes, as far as can be known: the same stream up to the
     * same write, neither being resynced. An unknown position is never the same.
     */
    public boolean samePositionAs(Applied other) {
      return other != null
          && fromEpoch == other.fromEpoch
          && incarnation == other.incarnation
          && lastWrite >= 0
          && lastWrite == other.lastWrite
          && !resyncing
          && !other.resyncing;
    }
  }
}
