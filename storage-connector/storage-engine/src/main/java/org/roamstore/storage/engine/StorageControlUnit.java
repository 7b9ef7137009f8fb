package org.roamstore.storage.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.storage.activity.ActivityLogSettings;
import org.roamstore.storage.api.CacheSynchronization;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.Names;
import org.roamstore.storage.api.NbdTlsMode;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.api.StorageStatus;
import org.roamstore.storage.api.VerifyRequest;
import org.roamstore.storage.api.VolumeInfo;
import org.roamstore.storage.cache.CacheMemory;
import org.roamstore.storage.control.CommandConnection;
import org.roamstore.storage.nbd.NbdServer;
import org.roamstore.storage.nbd.NbdTls;
import org.roamstore.storage.replication.NoRemoteCopy;
import org.roamstore.storage.replication.WriteDataSender;

/**
 * One storage control unit (reference text, 115) over one data directory (its layout: the engine
 * README, "Data directory"): its volumes ({@link HostedVolumes}, each a {@link CopyGroupReplica}),
 * the cache memory, the export names and the NBD server, and the control path that the local and
 * remote connections call.
 *
 * <p>Long-lived threads (destager, NBD accept loop, NBD workers, one per NBD connection) all come
 * from the executor given to {@link #open}; it must be able to run that many tasks at once.
 */
public final class StorageControlUnit implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(StorageControlUnit.class.getName());

  /** Reads through the control path are copied into one array; larger ones are refused. */
  public static final int MAX_CONTROL_READ_BYTES = 64 << 20;

  private final StorageControlUnitConfig config;
  private final FileChannel lockFile;
  private final ExportRegistry exports;
  private final CacheMemory cache;
  private final WriteDataSender sender;
  private final WriteRequestExecution writes;
  private final HostedVolumes volumes;
  private final Object admin = new Object(); // serializes changes of volumes, groups, exports
  private final ActivityLogSettings activitySettings = ActivityLogSettings.fromSystemProperties();
  private final ActivityCooling cooling;
  private boolean coolingStarted;
  private NbdServer nbd;
  private volatile boolean closed;

  private StorageControlUnit(
      StorageControlUnitConfig config, FileChannel lockFile, WriteDataSender sender)
      throws IOException {
    this.config = config;
    this.lockFile = lockFile;
    Path dir = config.dataDirectory();
    this.exports = new ExportRegistry(dir.resolve("exports.log"));
    this.cache = new CacheMemory(config.cacheBytes());
    this.sender = sender;
    this.writes = new WriteRequestExecution(sender);
    this.volumes =
        new HostedVolumes(
            config.storageSystem(),
            dir,
            exports,
            cache,
            sender,
            activitySettings,
            this::wantCooling);
    this.cooling =
        new ActivityCooling(
            volumes.all(), sender, activitySettings.coolInterval(), COOLING_ROUND_TIMEOUT);
  }

  // Activity logs call it when a writer waits for a slot: only once volumes are written.
  private void wantCooling() {
    cooling.want();
  }

  // How long a cooling round waits for the secondaries' disks before it gives up until the next.
  private static final Duration COOLING_ROUND_TIMEOUT = Duration.ofSeconds(10);
  // ... and at a clean stop, which a secondary that is away must not hold up for long.
  private static final Duration CLOSING_ROUND_TIMEOUT = Duration.ofSeconds(3);

  /** Opens a control unit without remote copy. */
  public static StorageControlUnit open(StorageControlUnitConfig config, Executor executor) {
    return open(config, executor, new NoRemoteCopy());
  }

  /**
   * Opens the data directory (creating it if needed), loads volumes, copy groups and exports,
   * starts the destager and, unless the port is -1, the NBD server. {@code sender} is where write
   * data goes after it is in the cache: the plug for remote copy.
   */
  public static StorageControlUnit open(
      StorageControlUnitConfig config, Executor executor, WriteDataSender sender) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(executor, "executor");
    Objects.requireNonNull(sender, "sender");
    FileChannel lockFile = lockDataDirectory(config.dataDirectory());
    StorageControlUnit unit = null;
    try {
      unit = new StorageControlUnit(config, lockFile, sender);
      unit.load();
      unit.cache.start(executor);
      sender.start(unit.volumes.asReplicas(), executor);
      unit.recoverActivity();
      executor.execute(unit.cooling);
      unit.coolingStarted = true;
      if (config.nbdPort() != StorageControlUnitConfig.NBD_OFF) {
        NbdTls tls = NbdTls.load(config.nbdTls(), config.nbdTlsDirectory());
        unit.nbd = NbdServer.start(config.nbdHost(), config.nbdPort(), unit::export, tls, executor);
      }
      return unit;
    } catch (IOException | RuntimeException e) {
      if (unit != null) {
        unit.close();
      } else {
        closeQuietly(lockFile);
      }
      if (e instanceof StorageException se) {
        throw se;
      }
      throw new StorageException(
          Reason.IO_ERROR, "cannot open storage control unit: " + e.getMessage(), e);
    }
  }

  private static FileChannel lockDataDirectory(Path dir) {
    FileChannel channel = null;
    try {
      Files.createDirectories(dir);
      channel =
          FileChannel.open(
              dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new OverlappingFileLockException();
      }
      return channel;
    } catch (OverlappingFileLockException e) {
      closeQuietly(channel);
      throw new StorageException(
          Reason.INVALID_ARGUMENT, "another storage control unit is running on " + dir);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new StorageException(
          Reason.IO_ERROR, "cannot use data directory " + dir + ": " + e.getMessage(), e);
    }
  }

  private void load() throws IOException {
    volumes.load();
    exports.load(id -> volumes.find(id).orElse(null), writes);
  }

  /**
   * Before any write, read or resync starts: see {@link CopyGroupReplica#recoverAfterUncleanStop}.
   */
  private void recoverActivity() {
    for (CopyGroupReplica replica : volumes.all()) {
      replica.recoverAfterUncleanStop();
    }
  }

  /**
   * A new handle on this control unit; cheap, and dead after its own or the unit's close. It runs
   * control commands, so a control server or a JCA handle can take it as it is.
   */
  public CommandConnection connect() {
    checkOpen();
    return new LocalStorageConnection(this);
  }

  public String storageSystem() {
    return config.storageSystem();
  }

  public StorageControlUnitConfig config() {
    return config;
  }

  /** The port the NBD server listens on, or -1 if it is off. */
  public int nbdPort() {
    return nbd == null ? StorageControlUnitConfig.NBD_OFF : nbd.port();
  }

  public StorageStatus status() {
    return new StorageStatus(
        config.storageSystem(),
        config.nbdHost(),
        nbdPort(),
        volumes.count(),
        cache.capacityBytes(),
        cache.dirtyBytes(),
        nbd == null ? NbdTlsMode.OFF : nbd.tls().mode());
  }

  public boolean isClosed() {
    return closed;
  }

  /** Stops the NBD server, writes every dirty page and forces it, closes the volume files. */
  @Override
  public void close() {
    synchronized (admin) {
      if (closed) {
        return;
      }
      closed = true;
    }
    StorageException failure = null;
    if (nbd != null) {
      nbd.close();
    }
    if (coolingStarted) {
      cooling.stop();
      // A clean stop leaves nothing hot that the copies agree on; what could not be confirmed
      // (a secondary away) stays hot and is resynchronised after the next start.
      for (CopyGroupReplica replica : volumes.all()) {
        cooling.cool(replica, CLOSING_ROUND_TIMEOUT);
      }
    }
    try {
      sender.close(); // ships what is queued while the volumes are still open
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "stopping remote copy", e);
    }
    try {
      cache.close();
    } catch (StorageException e) {
      failure = e;
    }
    volumes.closeFiles();
    closeQuietly(exports);
    closeQuietly(lockFile);
    if (failure != null) {
      throw failure;
    }
  }

  // ---- the control path, called through LocalStorageConnection ----

  void checkOpen() {
    if (closed) {
      throw new StorageException(Reason.CLOSED, "storage control unit is closed");
    }
  }

  VolumeInfo createVolume(String volumeId, long sizeBytes) {
    Names.require("volume id", volumeId);
    if (sizeBytes <= 0) {
      throw new StorageException(
          Reason.INVALID_ARGUMENT, "volume size must be positive, got " + sizeBytes);
    }
    synchronized (admin) {
      checkOpen();
      return volumes.create(volumeId, sizeBytes).info();
    }
  }

  void deleteVolume(String volumeId) {
    synchronized (admin) {
      checkOpen();
      volumes.delete(volumeId);
    }
  }

  Optional<VolumeInfo> volume(String volumeId) {
    checkOpen();
    return volumes.find(volumeId).map(CopyGroupReplica::info);
  }

  List<VolumeInfo> volumes() {
    checkOpen();
    List<VolumeInfo> all = new ArrayList<>();
    for (CopyGroupReplica r : volumes.all()) {
      all.add(r.info());
    }
    all.sort(Comparator.comparing(v -> v.address().volumeId()));
    return all;
  }

  /**
   * Stores the copy group information of the member held here (Fig. 9, last step at each member):
   * the role change of its {@link CopyGroupReplica}, which returns what the new primary must resync
   * when this unit stops being the primary.
   */
  OutOfSyncRegions defineCopyGroup(CopyVolumeGroupInfo group, OutOfSyncRegions inherited) {
    if (group == null) {
      throw new StorageException(Reason.INVALID_ARGUMENT, "copy group information is missing");
    }
    synchronized (admin) {
      checkOpen();
      CopyGroupReplica replica = volumes.memberOf(group);
      return replica.define(group, inherited);
    }
  }

  byte[] read(String volumeId, long epoch, long offset, int length) {
    checkOpen();
    CopyGroupReplica replica = require(volumeId);
    replica.volume.cache.checkRange(offset, length);
    if (length > MAX_CONTROL_READ_BYTES) {
      throw new StorageException(
          Reason.INVALID_ARGUMENT,
          "at most " + MAX_CONTROL_READ_BYTES + " bytes per read, asked for " + length);
    }
    byte[] data = new byte[length];
    ReadRequestExecution.read(replica, epoch, offset, ByteBuffer.wrap(data));
    return data;
  }

  void write(String volumeId, long epoch, long offset, byte[] data, boolean fua) {
    checkOpen();
    if (data == null) {
      throw new StorageException(Reason.INVALID_ARGUMENT, "no data to write");
    }
    CopyGroupReplica replica = require(volumeId);
    WriteRequestExecution.await(writes.write(replica, epoch, offset, ByteBuffer.wrap(data)));
    if (fua) {
      writes.flush(replica);
    }
  }

  void flush(String volumeId) {
    checkOpen();
    writes.flush(require(volumeId));
  }

  CacheSynchronization synchronizeCache(
      String volumeId, Set<String> secondaries, Duration timeout) {
    checkOpen();
    if (timeout == null || timeout.isNegative()) {
      throw new StorageException(Reason.INVALID_ARGUMENT, "a timeout of zero or more is needed");
    }
    CopyGroupReplica replica = require(volumeId);
    CopyVolumeGroupInfo group = replica.whilePrimary("synchronize cache", g -> g);
    return sender.synchronizeCache(
        group, secondaries == null ? Set.of() : Set.copyOf(secondaries), timeout);
  }

  CopyGroupStatus verify(String volumeId, VerifyRequest request) {
    checkOpen();
    if (request == null) {
      throw new StorageException(Reason.INVALID_ARGUMENT, "a verify request is needed");
    }
    CopyGroupReplica replica = require(volumeId);
    replica.whilePrimary(
        "a verify",
        group -> {
          sender.verify(group, request);
          return null;
        });
    return sender.status(replica);
  }

  CopyGroupStatus copyGroupStatus(String volumeId) {
    checkOpen();
    return sender.status(require(volumeId));
  }

  void registerExport(String exportName, String volumeId, long epoch, Instant expiresAt) {
    ExportRegistry.validName(exportName);
    long expiresAtMillis = expiresAt == null ? ExportBinding.NEVER : expiresAt.toEpochMilli();
    if (expiresAtMillis <= System.currentTimeMillis()) {
      throw new StorageException(
          Reason.INVALID_ARGUMENT, "export " + exportName + " expired already at " + expiresAt);
    }
    synchronized (admin) {
      checkOpen();
      CopyGroupReplica replica = require(volumeId);
      ExportBinding binding =
          new ExportBinding(
              ExportRegistry.keyOf(exportName), replica, epoch, expiresAtMillis, writes);
      binding.checkUsable(); // a token for a volume this unit does not serve would never work
      // Every login registers a token, so no fsync here: the appended record survives a crash of
      // this process (it is in the OS's cache); only a power loss can lose a new token, and then
      // its user logs in again. Revocations, which must never come undone, are forced.
      exports.put(binding);
    }
    exports.compactIfGrown();
  }

  /** What a new NBD connection opens with that name: null if none, or if it expired. */
  ExportBinding export(String exportName) {
    return exports.find(exportName);
  }

  void revokeExport(String exportName) {
    long position;
    synchronized (admin) {
      checkOpen();
      position = exports.remove(exportName);
    }
    exports.awaitDurable(position);
  }

  private CopyGroupReplica require(String volumeId) {
    return volumes.require(volumeId);
  }

  private static void closeQuietly(AutoCloseable c) {
    HostedVolumes.closeQuietly(c);
  }
}
