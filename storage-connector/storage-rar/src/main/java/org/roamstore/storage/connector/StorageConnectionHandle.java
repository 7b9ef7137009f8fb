package org.roamstore.storage.connector;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.roamstore.storage.api.CacheSynchronization;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageStatus;
import org.roamstore.storage.api.VerifyRequest;
import org.roamstore.storage.api.VolumeInfo;

/**
 * What application code holds: a thin handle on a pooled {@link StorageManagedConnection}. Dead
 * after {@link #close()} (or after the container reclaims its managed connection): every call then
 * fails with {@link StorageException.Reason#CLOSED}.
 */
public final class StorageConnectionHandle implements StorageConnection {
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile StorageManagedConnection owner;

  StorageConnectionHandle(StorageManagedConnection owner) {
    this.owner = owner;
  }

  @Override
  public String storageSystem() {
    return call(StorageConnection::storageSystem);
  }

  @Override
  public VolumeInfo createVolume(String volumeId, long sizeBytes) {
    return call(c -> c.createVolume(volumeId, sizeBytes));
  }

  @Override
  public void deleteVolume(String volumeId) {
    run(c -> c.deleteVolume(volumeId));
  }

  @Override
  public Optional<VolumeInfo> volume(String volumeId) {
    return call(c -> c.volume(volumeId));
  }

  @Override
  public List<VolumeInfo> volumes() {
    return call(StorageConnection::volumes);
  }

  @Override
  public OutOfSyncRegions defineCopyGroup(CopyVolumeGroupInfo group, OutOfSyncRegions inherited) {
    return call(c -> c.defineCopyGroup(group, inherited));
  }

  @Override
  public byte[] read(String volumeId, long epoch, long offset, int length) {
    return call(c -> c.read(volumeId, epoch, offset, length));
  }

  @Override
  public void write(String volumeId, long epoch, long offset, byte[] data, boolean fua) {
    run(c -> c.write(volumeId, epoch, offset, data, fua));
  }

  @Override
  public void flush(String volumeId) {
    run(c -> c.flush(volumeId));
  }

  @Override
  public void registerExport(String exportName, String volumeId, long epoch, Instant expiresAt) {
    run(c -> c.registerExport(exportName, volumeId, epoch, expiresAt));
  }

  @Override
  public void revokeExport(String exportName) {
    run(c -> c.revokeExport(exportName));
  }

  @Override
  public StorageStatus status() {
    return call(StorageConnection::status);
  }

  @Override
  public CacheSynchronization synchronizeCache(
      String volumeId, Set<String> secondaries, Duration timeout) {
    return call(c -> c.synchronizeCache(volumeId, secondaries, timeout));
  }

  @Override
  public CopyGroupStatus copyGroupStatus(String volumeId) {
    return call(c -> c.copyGroupStatus(volumeId));
  }

  @Override
  public CopyGroupStatus verify(String volumeId, VerifyRequest request) {
    return call(c -> c.verify(volumeId, request));
  }

  /** Gives the connection back to the pool. Closing twice is harmless (try-with-resources). */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      StorageManagedConnection current = owner;
      owner = null;
      if (current != null) {
        current.handleClosed(this);
      }
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  /** The container reclaimed the managed connection; no event, the pool already knows. */
  void invalidate() {
    closed.set(true);
    owner = null;
  }

  StorageManagedConnection owner() {
    return owner;
  }

  void associate(StorageManagedConnection newOwner) {
    if (closed.get()) {
      throw closedException();
    }
    owner = newOwner;
  }

  private <T> T call(Function<StorageConnection, T> operation) {
    StorageManagedConnection current = live();
    try {
      return operation.apply(current.engine());
    } catch (RuntimeException e) {
      current.handleFailed(this, e);
      throw e;
    }
  }

  private void run(Consumer<StorageConnection> operation) {
    call(
        c -> {
          operation.accept(c);
          return null;
        });
  }

  private StorageManagedConnection live() {
    StorageManagedConnection current = owner;
    if (current == null || closed.get()) {
      throw closedException();
    }
    return current;
  }

  private static StorageException closedException() {
    return new StorageException(
        StorageException.Reason.CLOSED, "this storage connection handle is closed");
  }

  @Override
  public String toString() {
    StorageManagedConnection current = owner;
    return "StorageConnectionHandle[" + (current == null ? "closed" : current) + "]";
  }
}
