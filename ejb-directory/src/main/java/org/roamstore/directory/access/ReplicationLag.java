package org.roamstore.directory.access;

import java.util.Optional;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;

/**
 * How far a secondary is behind its primary, asked at the primary's storage control unit ({@link
 * StorageConnection#copyGroupStatus}). This is the one place the status reads lag, drain and resync
 * progress from; a storage connection without remote copy reports none, and the status says so.
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
   */
  public record Lag(
      String state,
      Long pendingBytes,
      Long pendingWrites,
      Double seconds,
      Long outOfSyncBytes,
      Integer resyncPercent) {

    public static final Lag NOT_REPORTED = new Lag(null, null, null, null, null, null);

    public boolean reported() {
      return state != null;
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
    return status.secondaries().stream()
        .filter(s -> s.storageSystem().equals(secondaryStorageSystem))
        .findFirst()
        .map(
            s ->
                new Lag(
                    s.state().name(),
                    s.lagBytes(),
                    s.lagWrites(),
                    s.estimatedSeconds() < 0 ? null : s.estimatedSeconds(),
                    s.outOfSyncBytes(),
                    s.resyncPercent()));
  }
}
