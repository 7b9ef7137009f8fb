package org.roamstore.storage.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The control path into one storage control unit (the copy volume group interface, 140, and the
 * read/write request issue, 141/142, of the reference text). A handle is cheap; close it after use.
 * After {@link #close()} every call fails with {@link StorageException.Reason#CLOSED}.
 */
public interface StorageConnection extends AutoCloseable {

  /** The storage system this connection reaches (one per data center). */
  String storageSystem();

  /** Creates a sparse real volume of a fixed size. */
  VolumeInfo createVolume(String volumeId, long sizeBytes);

  /** Deletes a real volume, its data and its copy group information. */
  void deleteVolume(String volumeId);

  Optional<VolumeInfo> volume(String volumeId);

  List<VolumeInfo> volumes();

  /**
   * Stores the copy volume group information for the member this storage system holds. Replaces
   * what was there; an older epoch than the stored one is refused.
   */
  default void defineCopyGroup(CopyVolumeGroupInfo group) {
    defineCopyGroup(group, OutOfSyncRegions.NONE);
  }

  /**
   * The same, as a step of a change of primary (Fig. 9), carrying what the secondaries miss from
   * the old primary to the new one. Where this member stops being the primary, returns the regions
   * its secondaries missed at that moment (they stay recorded here as well); elsewhere returns
   * {@link OutOfSyncRegions#NONE}. Where this member becomes the primary, {@code inherited} is
   * added to what it tracks and resynchronised when those secondaries answer; a definition that
   * lists the new primary itself as missing regions is refused, changing nothing, since its copy is
   * not current.
   */
  OutOfSyncRegions defineCopyGroup(CopyVolumeGroupInfo group, OutOfSyncRegions inherited);

  /** Reads at the primary; the caller presents the epoch its access was granted at. */
  byte[] read(String volumeId, long epoch, long offset, int length);

  /** Writes at the primary; with {@code fua} the call returns once the data is on disk. */
  void write(String volumeId, long epoch, long offset, byte[] data, boolean fua);

  /** Returns once every acknowledged write to the volume is on disk. */
  void flush(String volumeId);

  /**
   * Makes the volume reachable over NBD under an export name (an access token) bound to an epoch,
   * until {@code expiresAt} (null: no end of its own). The export stops working when the epoch
   * moves on or the name is revoked; once it has expired, no new connection opens with it (one open
   * then goes on: a disk in use is not pulled from under its user) and the unit forgets it.
   */
  void registerExport(String exportName, String volumeId, long epoch, Instant expiresAt);

  /**
   * An export without an end of its own: {@link #registerExport(String, String, long, Instant)}.
   */
  default void registerExport(String exportName, String volumeId, long epoch) {
    registerExport(exportName, volumeId, epoch, null);
  }

  void revokeExport(String exportName);

  StorageStatus status();

  /**
   * Synchronize cache (reference text, Fig. 9 steps 904 and 912), at the primary of the volume's
   * copy group: returns once every write accepted before this call is applied, and on disk, at the
   * named secondaries (every secondary that is not out of sync when the set is empty). Fails with
   * {@link StorageException.Reason#TIMEOUT}, saying how far each secondary got, if that takes
   * longer than {@code timeout}; nothing is lost then, the data keeps flowing.
   */
  default CacheSynchronization synchronizeCache(
      String volumeId, Set<String> secondaries, Duration timeout) {
    throw new StorageException(
        StorageException.Reason.UNSUPPORTED, "this storage connection has no remote copy");
  }

  /**
   * Starts an online verify of the volume's copy group at its primary (see {@link VerifyRequest})
   * and returns at once with the group's status, in which each verified secondary's {@link
   * CopyGroupStatus.SecondaryStatus#verify()} shows its progress. Refused with {@link
   * StorageException.Reason#INVALID_ARGUMENT} for a secondary that is not in the group or is out of
   * sync (a resync, not a verify, is what it needs), and with {@link
   * StorageException.Reason#NOT_PRIMARY} where this unit does not hold the primary.
   */
  default CopyGroupStatus verify(String volumeId, VerifyRequest request) {
    throw new StorageException(
        StorageException.Reason.UNSUPPORTED, "this storage connection has no remote copy");
  }

  /** How remote copy of the volume's copy group stands at this storage control unit. */
  default CopyGroupStatus copyGroupStatus(String volumeId) {
    throw new StorageException(
        StorageException.Reason.UNSUPPORTED, "this storage connection has no remote copy");
  }

  @Override
  void close();
}
