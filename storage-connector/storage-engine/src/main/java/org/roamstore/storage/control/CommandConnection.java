package org.roamstore.storage.control;

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
import org.roamstore.storage.api.StorageStatus;
import org.roamstore.storage.api.VerifyRequest;
import org.roamstore.storage.api.VolumeInfo;

/**
 * A storage connection whose every call is a {@link ControlCommand}: the connection in the unit's
 * JVM, the one across the broker and the JCA handle differ only in how they {@link #run} one.
 */
public abstract class CommandConnection implements StorageConnection {

  /**
   * Runs a command here or wherever the unit is, after refusing a missing argument.
   *
   * @throws StorageException the unit's refusal, or why the command did not reach it
   */
  public final <R> R execute(ControlCommand<R> command) {
    checkOpen(); // a closed connection says so whatever it is asked
    CommandCodec.requireArguments(command);
    return run(command);
  }

  /**
   * @throws StorageException with {@link StorageException.Reason#CLOSED} once this connection (or
   *     what it reaches in this JVM) is closed
   */
  protected abstract void checkOpen();

  /** Runs a command whose arguments are all there. */
  protected abstract <R> R run(ControlCommand<R> command);

  @Override
  public VolumeInfo createVolume(String volumeId, long sizeBytes) {
    return execute(new ControlCommand.CreateVolume(volumeId, sizeBytes));
  }

  @Override
  public void deleteVolume(String volumeId) {
    execute(new ControlCommand.DeleteVolume(volumeId));
  }

  @Override
  public Optional<VolumeInfo> volume(String volumeId) {
    return execute(new ControlCommand.Volume(volumeId));
  }

  @Override
  public List<VolumeInfo> volumes() {
    return execute(new ControlCommand.Volumes());
  }

  @Override
  public OutOfSyncRegions defineCopyGroup(CopyVolumeGroupInfo group, OutOfSyncRegions inherited) {
    return execute(new ControlCommand.DefineCopyGroup(group, inherited));
  }

  @Override
  public byte[] read(String volumeId, long epoch, long offset, int length) {
    return execute(new ControlCommand.Read(volumeId, epoch, offset, length));
  }

  @Override
  public void write(String volumeId, long epoch, long offset, byte[] data, boolean fua) {
    execute(new ControlCommand.Write(volumeId, epoch, offset, data, fua));
  }

  @Override
  public void flush(String volumeId) {
    execute(new ControlCommand.Flush(volumeId));
  }

  @Override
  public void registerExport(String exportName, String volumeId, long epoch, Instant expiresAt) {
    execute(new ControlCommand.RegisterExport(exportName, volumeId, epoch, expiresAt));
  }

  @Override
  public void revokeExport(String exportName) {
    execute(new ControlCommand.RevokeExport(exportName));
  }

  @Override
  public StorageStatus status() {
    return execute(new ControlCommand.Status());
  }

  @Override
  public CacheSynchronization synchronizeCache(
      String volumeId, Set<String> secondaries, Duration timeout) {
    return execute(new ControlCommand.SynchronizeCache(volumeId, secondaries, timeout));
  }

  @Override
  public CopyGroupStatus copyGroupStatus(String volumeId) {
    return execute(new ControlCommand.CopyGroupStatus(volumeId));
  }

  @Override
  public CopyGroupStatus verify(String volumeId, VerifyRequest request) {
    return execute(new ControlCommand.Verify(volumeId, request));
  }
}
