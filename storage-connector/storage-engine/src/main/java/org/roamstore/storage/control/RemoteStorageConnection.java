package org.roamstore.storage.control;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
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

/**
 * A storage connection whose calls are control requests to the unit's request queue, wherever that
 * unit runs: in this JVM, or at another site behind the brokers' bridges. Refusals arrive as the
 * same {@link StorageException}s a local call throws; silence as {@link Reason#UNREACHABLE}.
 */
public final class RemoteStorageConnection implements StorageConnection {
  private final ControlClient client;
  private final String storageSystem;
  private final Duration timeout;
  private final Duration drainTimeout;
  private volatile boolean closed;

  /**
   * @param timeout how long a call waits for its answer
   * @param drainTimeout how long the unit may drain when a new copy group definition demotes it
   *     (waited on top of {@code timeout}; a cache synchronization waits its own timeout on top)
   */
  public RemoteStorageConnection(
      ControlClient client, String storageSystem, Duration timeout, Duration drainTimeout) {
    this.client = Objects.requireNonNull(client, "client");
    this.storageSystem = storageSystem;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.drainTimeout = Objects.requireNonNull(drainTimeout, "drain timeout");
  }

  @FunctionalInterface
  private interface Arguments {
    void write(DataOutputStream out) throws IOException;
  }

  @FunctionalInterface
  private interface Result<T> {
    T read(DataInputStream in) throws IOException;
  }

  private <T> T call(ControlOp op, Duration wait, Arguments arguments, Result<T> result) {
    if (closed) {
      throw new StorageException(Reason.CLOSED, "this storage connection is closed");
    }
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try {
      arguments.write(new DataOutputStream(buffer));
    } catch (IOException e) {
      throw new StorageException(Reason.INVALID_ARGUMENT, "cannot encode " + op, e);
    } catch (NullPointerException e) {
      throw new StorageException(Reason.INVALID_ARGUMENT, op + " is missing an argument", e);
    }
    ControlClient.Reply reply = client.call(storageSystem, op, buffer.toByteArray(), wait);
    try {
      return result.read(new DataInputStream(new ByteArrayInputStream(reply.body())));
    } catch (IOException | RuntimeException e) {
      throw new StorageException(
          Reason.IO_ERROR, "malformed answer to " + op + " from " + storageSystem, e);
    }
  }

  private <T> T call(ControlOp op, Arguments arguments, Result<T> result) {
    return call(op, timeout, arguments, result);
  }

  private void call(ControlOp op, Arguments arguments) {
    call(op, timeout, arguments, in -> null);
  }

  @Override
  public String storageSystem() {
    return storageSystem;
  }

  @Override
  public VolumeInfo createVolume(String volumeId, long sizeBytes) {
    return call(
        ControlOp.CREATE_VOLUME,
        out -> {
          ControlCodec.writeString(out, volumeId);
          out.writeLong(sizeBytes);
        },
        ControlCodec::readVolume);
  }

  @Override
  public void deleteVolume(String volumeId) {
    call(ControlOp.DELETE_VOLUME, out -> ControlCodec.writeString(out, volumeId));
  }

  @Override
  public Optional<VolumeInfo> volume(String volumeId) {
    return call(
        ControlOp.VOLUME,
        out -> ControlCodec.writeString(out, volumeId),
        in -> in.readBoolean() ? Optional.of(ControlCodec.readVolume(in)) : Optional.empty());
  }

  @Override
  public List<VolumeInfo> volumes() {
    return call(ControlOp.VOLUMES, out -> {}, ControlCodec::readVolumes);
  }

  @Override
  public OutOfSyncRegions defineCopyGroup(CopyVolumeGroupInfo group, OutOfSyncRegions inherited) {
    return call(
        ControlOp.DEFINE_COPY_GROUP,
        timeout.plus(drainTimeout),
        out -> {
          ControlCodec.writeGroup(out, group);
          ControlCodec.writeRegions(out, inherited);
        },
        ControlCodec::readRegions);
  }

  @Override
  public byte[] read(String volumeId, long epoch, long offset, int length) {
    return call(
        ControlOp.READ,
        out -> {
          ControlCodec.writeString(out, volumeId);
          out.writeLong(epoch);
          out.writeLong(offset);
          out.writeInt(length);
        },
        ControlCodec::readBytes);
  }

  @Override
  public void write(String volumeId, long epoch, long offset, byte[] data, boolean fua) {
    call(
        ControlOp.WRITE,
        out -> {
          ControlCodec.writeString(out, volumeId);
          out.writeLong(epoch);
          out.writeLong(offset);
          ControlCodec.writeBytes(out, data);
          out.writeBoolean(fua);
        });
  }

  @Override
  public void flush(String volumeId) {
    call(ControlOp.FLUSH, out -> ControlCodec.writeString(out, volumeId));
  }

  @Override
  public void registerExport(String exportName, String volumeId, long epoch, Instant expiresAt) {
    call(
        ControlOp.REGISTER_EXPORT,
        out -> {
          ControlCodec.writeString(out, exportName);
          ControlCodec.writeString(out, volumeId);
          out.writeLong(epoch);
          ControlCodec.writeInstant(out, expiresAt);
        });
  }

  @Override
  public void revokeExport(String exportName) {
    call(ControlOp.REVOKE_EXPORT, out -> ControlCodec.writeString(out, exportName));
  }

  @Override
  public StorageStatus status() {
    return call(ControlOp.STATUS, out -> {}, ControlCodec::readStatus);
  }

  @Override
  public CacheSynchronization synchronizeCache(
      String volumeId, Set<String> secondaries, Duration drainTimeout) {
    return call(
        ControlOp.SYNCHRONIZE_CACHE,
        drainTimeout.plus(timeout),
        out -> {
          ControlCodec.writeString(out, volumeId);
          ControlCodec.writeStrings(out, secondaries);
          out.writeLong(drainTimeout.toMillis());
        },
        ControlCodec::readSynchronization);
  }

  @Override
  public CopyGroupStatus copyGroupStatus(String volumeId) {
    return call(
        ControlOp.COPY_GROUP_STATUS,
        out -> ControlCodec.writeString(out, volumeId),
        ControlCodec::readCopyGroupStatus);
  }

  @Override
  public CopyGroupStatus verify(String volumeId, VerifyRequest request) {
    return call(
        ControlOp.VERIFY,
        out -> {
          ControlCodec.writeString(out, volumeId);
          ControlCodec.writeVerifyRequest(out, request);
        },
        ControlCodec::readCopyGroupStatus);
  }

  @Override
  public void close() {
    closed = true;
  }
}
