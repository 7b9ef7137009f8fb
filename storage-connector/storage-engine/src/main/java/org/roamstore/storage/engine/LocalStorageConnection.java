package org.roamstore.storage.engine;

import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.control.CommandConnection;
import org.roamstore.storage.control.CommandTable;
import org.roamstore.storage.control.ControlCommand;
import org.roamstore.storage.control.ControlCommand.CopyGroupStatus;
import org.roamstore.storage.control.ControlCommand.CreateVolume;
import org.roamstore.storage.control.ControlCommand.DefineCopyGroup;
import org.roamstore.storage.control.ControlCommand.DeleteVolume;
import org.roamstore.storage.control.ControlCommand.Flush;
import org.roamstore.storage.control.ControlCommand.Read;
import org.roamstore.storage.control.ControlCommand.RegisterExport;
import org.roamstore.storage.control.ControlCommand.RevokeExport;
import org.roamstore.storage.control.ControlCommand.Status;
import org.roamstore.storage.control.ControlCommand.SynchronizeCache;
import org.roamstore.storage.control.ControlCommand.Verify;
import org.roamstore.storage.control.ControlCommand.Volume;
import org.roamstore.storage.control.ControlCommand.Volumes;
import org.roamstore.storage.control.ControlCommand.Write;

/**
 * A thin handle on a control unit; dead after its own close or the unit's. Every call, from this
 * JVM or from the unit's control server, runs through {@link #COMMANDS}, the one table of which
 * method of the unit carries out each command.
 */
final class LocalStorageConnection extends CommandConnection {
  static final CommandTable<StorageControlUnit> COMMANDS =
      CommandTable.<StorageControlUnit>builder()
          .on(CreateVolume.class, (u, c) -> u.createVolume(c.volumeId(), c.sizeBytes()))
          .run(DeleteVolume.class, (u, c) -> u.deleteVolume(c.volumeId()))
          .on(Volume.class, (u, c) -> u.volume(c.volumeId()))
          .on(Volumes.class, (u, c) -> u.volumes())
          .on(DefineCopyGroup.class, (u, c) -> u.defineCopyGroup(c.group(), c.inherited()))
          .on(Read.class, (u, c) -> u.read(c.volumeId(), c.epoch(), c.offset(), c.length()))
          .run(
              Write.class,
              (u, c) -> u.write(c.volumeId(), c.epoch(), c.offset(), c.data(), c.fua()))
          .run(Flush.class, (u, c) -> u.flush(c.volumeId()))
          .run(
              RegisterExport.class,
              (u, c) -> u.registerExport(c.exportName(), c.volumeId(), c.epoch(), c.expiresAt()))
          .run(RevokeExport.class, (u, c) -> u.revokeExport(c.exportName()))
          .on(Status.class, (u, c) -> u.status())
          .on(
              SynchronizeCache.class,
              (u, c) -> u.synchronizeCache(c.volumeId(), c.secondaries(), c.timeout()))
          .on(CopyGroupStatus.class, (u, c) -> u.copyGroupStatus(c.volumeId()))
          .on(Verify.class, (u, c) -> u.verify(c.volumeId(), c.request()))
          .build();

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
  protected void checkOpen() {
    unit();
  }

  @Override
  protected <R> R run(ControlCommand<R> command) {
    return COMMANDS.execute(unit(), command);
  }

  @Override
  public void close() {
    closed = true;
  }
}
