package org.roamstore.directory.access;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.VerifyStatus;

/**
 * How far a secondary is behind its primary, asked at the primary's storage control unit ({@link
 * StorageConnection#copyGroupStatus}). This is the one place the status reads lag, drain, resync
 * and verify progress from; a storage connection without remote copy reports none, and the status
 * says so.
 */
public final class ReplicationLag {

  /**
   * Lag figures of one secondary; any of them null when storage does not report it.
   *
   * @param state IN_SYNC, LAGGING, OUT_OF_SYNC or RESYNCING
   * @param pendingBytes write data accepted at the primary and not yet applied at the secondary
   * @param pendingWrites the same counted in writes
   * @param seconds estimated time to catch up at the recent rate
   * @param outOfSyncBytes regions still to resynchronise
   * @param resyncPercent progress of a resynchronisation (100 when nothing is to resync)
   * @param verify the running or last online verify of the secondary; null when it was never
   *     verified (or storage does not report: then {@code state} is null too)
   */
  public record Lag(
      String state,
      Long pendingBytes,
      Long pendingWrites,
      Double seconds,
      Long outOfSyncBytes,
      Integer resyncPercent,
      Verify verify) {

    public static final Lag NOT_REPORTED = new Lag(null, null, null, null, null, null, null);

    public boolean reported() {
      return state != null;
    }
  }

  /**
   * The running or last online verify of one secondary, as its primary reports it. Nothing here is
   * made up by the directory: a secondary never verified has none.
   *
   * @param outcome RUNNING, NO_DIFFERENCE, DIFFERENCES or INTERRUPTED
   * @param startedAt when it began
   * @param finishedAt when it ended; null while it runs
   * @param percent how much of the volume was compared, 0-100
   * @param bytesVerified bytes compared
   * @param bytesTotal bytes of the volume
   * @param regionBytes size of a compared region
   * @param differingRegions regions found different
   * @param differingOffsets offsets of the first of them (at most {@link VerifyStatus#LISTED})
   * @param repair whether differing regions are resynchronised from the primary
   * @param detail why it was interrupted; null otherwise
   */
  public record Verify(
      String outcome,
      Instant startedAt,
      Instant finishedAt,
      int percent,
      long bytesVerified,
      long bytesTotal,
      int regionBytes,
      long differingRegions,
      List<Long> differingOffsets,
      boolean repair,
      String detail) {

    public Verify {
      differingOffsets = List.copyOf(differingOffsets);
    }

    /** Null for null: never verified. */
    public static Verify of(VerifyStatus v) {
      if (v == null) {
        return null;
      }
      return new Verify(
          v.outcome().name(),
          v.startedAt(),
          v.finishedAt(),
          v.percent(),
          v.bytesVerified(),
          v.bytesTotal(),
          v.regionBytes(),
          v.differingRegions(),
          v.differingOffsets(),
          v.repair(),
          v.detail());
    }

    public boolean running() {
      return VerifyStatus.Outcome.RUNNING.name().equals(outcome);
    }
  }

  private ReplicationLag() {}

  /**
   * The lag of the secondary at {@code secondaryStorageSystem} in the group of {@code volumeId},
   * asked at the primary's storage.
   */
  public static Optional<Lag> of(
      StorageConnection primary, String volumeId, String secondaryStorageSystem) {
    CopyGroupStatus status;
    try {
      status = primary.copyGroupStatus(volumeId);
    } catch (StorageException | UnsupportedOperationException e) {
      return Optional.empty(); // no remote copy at this storage connection (yet)
    }
    return of(status, secondaryStorageSystem);
  }

  /** The lag of one secondary in a status its primary reported. */
  public static Optional<Lag> of(CopyGroupStatus status, String secondaryStorageSystem) {
    return status.secondaries().stream()
        .filter(s -> s.storageSystem().equals(secondaryStorageSystem))
        .findFirst()
        .map(ReplicationLag::of);
  }

  public static Lag of(CopyGroupStatus.SecondaryStatus s) {
    return new Lag(
        s.state().name(),
        s.lagBytes(),
        s.lagWrites(),
        s.estimatedSeconds() < 0 ? null : s.estimatedSeconds(),
        s.outOfSyncBytes(),
        s.resyncPercent(),
        Verify.of(s.verify()));
  }
}
