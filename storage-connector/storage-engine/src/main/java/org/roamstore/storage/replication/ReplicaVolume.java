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

  /**
   * Reads what the volume holds, on disk or in dirty pages not yet written there, without going
   * through (or filling) the cache: what an online verify compares. Clean cached pages could hide a
   * difference on disk.
   */
  void readStored(long offset, ByteBuffer dst);

  /**
   * Runs {@code atPoint} while no write is between this volume's cache and the remote copy stream
   * (writes wait meanwhile), if this unit still holds the primary and the locks that takes are free
   * within a few milliseconds; returns whether it ran (if not, try again later). What it reads of
   * the volume is then exactly what every write before the stream's current end made it.
   */
  boolean atStreamPoint(Runnable atPoint);

  /** Writes every dirty page to the file and forces it. */
  void flush();
}
