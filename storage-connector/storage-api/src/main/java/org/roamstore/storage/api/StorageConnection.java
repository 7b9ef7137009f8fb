package org.roamstore.storage.api;

import java.util.List;
import java.util.Optional;

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
  void defineCopyGroup(CopyVolumeGroupInfo group);

  /** Reads at the primary; the caller presents the epoch its access was granted at. */
  byte[] read(String volumeId, long epoch, long offset, int length);

  /** Writes at the primary; with {@code fua} the call returns once the data is on disk. */
  void write(String volumeId, long epoch, long offset, byte[] data, boolean fua);

  /** Returns once every acknowledged write to the volume is on disk. */
  void flush(String volumeId);

  /**
   * Makes the volume reachable over NBD under an export name (an access token) bound to an epoch;
   * the export stops working when the epoch moves on or the name is revoked.
   */
  void registerExport(String exportName, String volumeId, long epoch);

  void revokeExport(String exportName);

  StorageStatus status();

  @Override
  void close();
}
