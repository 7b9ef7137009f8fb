package org.roamstore.storage.engine;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.roamstore.storage.activity.ActivityLog;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.api.VolumeInfo;
import org.roamstore.storage.cache.CachedVolume;
import org.roamstore.storage.replication.ReplicaVolume;
import org.roamstore.storage.volume.RealVolume;

/**
 * A real volume held by this control unit: its file, its cache view and its copy group. Remote copy
 * sees it as a {@link ReplicaVolume}.
 */
final class HostedVolume implements ReplicaVolume {
  final RealVolumeAddress address;
  final RealVolume file;
  final CachedVolume cache;
  final ActivityLog activity;
  // False only while measuring what the activity log costs (ActivityLogSettings.offFor).
  final boolean logsActivity;

  /**
   * Reads and writes hold the read side from their epoch check until their data is in the cache
   * (and handed to the sender); a change of copy group holds the write side. So no write checked
   * against an old epoch lands after the switch.
   */
  final ReentrantReadWriteLock groupLock = new ReentrantReadWriteLock();

  /** Held from a write's store in the cache until it is handed to the sender (remote copy only). */
  final java.util.concurrent.locks.ReentrantLock writeOrder =
      new java.util.concurrent.locks.ReentrantLock();

  volatile CopyVolumeGroupInfo group;
  final AtomicLong writeSequence = new AtomicLong();

  HostedVolume(
      RealVolumeAddress address,
      RealVolume file,
      CachedVolume cache,
      ActivityLog activity,
      boolean logsActivity) {
    this.address = address;
    this.file = file;
    this.cache = cache;
    this.activity = activity;
    this.logsActivity = logsActivity;
  }

  /** Whether this unit is the primary of {@code group} and the group has secondaries. */
  boolean replicatedPrimary(CopyVolumeGroupInfo group) {
    return group != null && group.members().size() > 1 && group.primaryIs(address);
  }

  String id() {
    return address.volumeId();
  }

  VolumeInfo info() {
    return new VolumeInfo(address, file.sizeBytes(), Optional.ofNullable(group));
  }

  /**
   * The group, if this unit holds its primary and the caller presents its current epoch; called
   * with the group lock held.
   */
  CopyVolumeGroupInfo checkServes(long epoch) {
    CopyVolumeGroupInfo current = group;
    if (current == null) {
      throw new StorageException(
          Reason.NO_COPY_GROUP, "volume " + address + " belongs to no copy group");
    }
    if (!current.primaryIs(address)) {
      throw new StorageException(
          Reason.NOT_PRIMARY,
          "volume "
              + address
              + " is not the primary of copy group "
              + current.groupId()
              + " (the primary is "
              + current.primary().address()
              + ")");
    }
    if (epoch != current.epoch()) {
      throw new StorageException(
          Reason.STALE_EPOCH,
          "epoch "
              + epoch
              + " is not the current epoch "
              + current.epoch()
              + " of copy group "
              + current.groupId());
    }
    return current;
  }

  @Override
  public RealVolumeAddress address() {
    return address;
  }

  @Override
  public CopyVolumeGroupInfo group() {
    return group;
  }

  @Override
  public long sizeBytes() {
    return file.sizeBytes();
  }

  @Override
  public boolean applyAsSecondary(long epoch, Runnable apply) {
    groupLock.readLock().lock();
    try {
      CopyVolumeGroupInfo current = group;
      if (current != null && current.primaryIs(address) && current.epoch() >= epoch) {
        return false;
      }
      apply.run();
      return true;
    } finally {
      groupLock.readLock().unlock();
    }
  }

  @Override
  public void write(long offset, ByteBuffer src) {
    cache.write(offset, src);
  }

  @Override
  public void writeZeroes(long offset, long length) {
    cache.writeZeroes(offset, length);
  }

  @Override
  public void read(long offset, ByteBuffer dst) {
    cache.read(offset, dst);
  }

  @Override
  public void readStored(long offset, ByteBuffer dst) {
    cache.readStored(offset, dst);
  }

  /**
   * Only tries the locks, briefly: the caller is the send process, and a writer holding the write
   * order may be waiting for it (back-pressure), as a change of group holding the group lock may
   * wait for its drain. Blocking there would deadlock both until their timeouts.
   */
  @Override
  public boolean atStreamPoint(Runnable atPoint) {
    try {
      if (!groupLock.readLock().tryLock(STREAM_POINT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
        return false;
      }
      try {
        CopyVolumeGroupInfo current = group;
        if (current == null
            || !current.primaryIs(address)
            || !writeOrder.tryLock(STREAM_POINT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
          return false;
        }
        try {
          atPoint.run();
          return true;
        } finally {
          writeOrder.unlock();
        }
      } finally {
        groupLock.readLock().unlock();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static final long STREAM_POINT_WAIT_MILLIS = 5;

  @Override
  public void flush() {
    cache.flush();
  }
}
