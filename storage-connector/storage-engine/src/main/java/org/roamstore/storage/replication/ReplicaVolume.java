package org.roamstore.storage.replication;

import java.nio.ByteBuffer;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.RealVolumeAddress;

/**
 * One real volume as remote copy sees it: the primary reads it for a resync, a secondary applies
 * write data to it. Neither goes through the epoch check of the user's reads and writes.
 */
public interface ReplicaVolume {

  RealVolumeAddress address();

  /** The copy group as this unit holds it now; null if none. */
  CopyVolumeGroupInfo group();

  long sizeBytes();

  /**
   * Runs {@code apply} (writes to this volume) unless this unit holds the primary of the group at
   * {@code epoch} or later, which would make the data stale. The copy group cannot change while it
   * runs. Returns whether it ran.
   */
  boolean applyAsSecondary(long epoch, Runnable apply);

  /** Stores bytes in the cache (only from inside {@link #applyAsSecondary}). */
  void write(long offset, ByteBuffer src);

  void writeZeroes(long offset, long length);

  /** Reads through the cache, for a resync at the primary. */
  void read(long offset, ByteBuffer dst);

  /** Writes every dirty page to the file and forces it. */
  void flush();
}
