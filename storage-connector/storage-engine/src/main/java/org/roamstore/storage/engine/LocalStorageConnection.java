package org.roamstore.storage.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.roamstore.storage.api.CacheSynchronization;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.api.StorageStatus;
import org.roamstore.storage.api.VerifyRequest;
import org.roamstore.storage.api.VolumeInfo;

/** A thin handle on a control unit; dead after its own close or the unit's. */
final class LocalStorageConnection implements StorageConnection {
  private final StorageControlUnit unit;
  private volatile boolean closed;

  LocalStorageConnection(StorageControlUnit unit) {
    this.unit = unit;
  }

  private StorageControlUnit unit() {
    if (closed) {
      throw new StorageException(Reason.CLOSED, "this storage connection is closed");
    }
    unit.checkOpen();
    return unit;
  }

  @Override
  public String storageSystem() {
    return unit().storageSystem();
  }

  @Override
  public VolumeInfo createVolume(String volumeId, long sizeBytes) {
    return unit().createVolume(volumeId, sizeBytes);
  }

  @Override
  public void deleteVolume(String volumeId) {
    unit().deleteVolume(volumeId);
  }

  @Override
  public Optional<VolumeInfo> volume(String volumeId) {
    return unit().volume(volumeId);
  }

  @Override
  public List<VolumeInfo> volumes() {
    return unit().volumes();
  }

  @Override
  public OutOfSyncRegions defineCopyGroup(CopyVolumeGroupInfo group, OutOfSyncRegions inherited) {
    return unit().defineCopyGroup(group, inherited);
  }

  @Override
  public byte[] read(String volumeId, long epoch, long offset, int length) {
    return unit().read(volumeId, epoch, offset, length);
  }

  @Override
  public void write(String volumeId, long epoch, long offset, byte[] data, boolean fua) {
    unit().write(volumeId, epoch, offset, data, fua);
  }

  @Override
  public void flush(String volumeId) {
    unit().flush(volumeId);
  }

  @Override
  public void registerExport(String exportName, String volumeId, long epoch, Instant expiresAt) {
    unit().registerExport(exportName, volumeId, epoch, expiresAt);
  }

  @Override
  public void revokeExport(String exportName) {
    unit().revokeExport(exportName);
  }

  @Override
  public StorageStatus status() {
    return unit().status();
  }

  @Override
  public CacheSynchronization synchronizeCache(
      String volumeId, Set<String> secondaries, Duration timeout) {
    return unit().synchronizeCache(volumeId, secondaries, timeout);
  }

  @Override
  public CopyGroupStatus copyGroupStatus(String volumeId) {
    return unit().copyGroupStatus(volumeId);
  }

  @Override
  public CopyGroupStatus verify(String volumeId, VerifyRequest request) {
    return unit().verify(volumeId, request);
  }

  @Override
  public void close() {
    closed = true;
  }
}
