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
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.storage.activity.ActivityLog;
import org.roamstore.storage.activity.ActivityLogSettings;
import org.roamstore.storage.api.CacheSynchronization;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.Names;
import org.roamstore.storage.api.NbdTlsMode;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.api.StorageStatus;
import org.roamstore.storage.api.VerifyRequest;
import org.roamstore.storage.api.VolumeInfo;
import org.roamstore.storage.cache.CacheMemory;
import org.roamstore.storage.copygroup.CopyGroupStore;
import org.roamstore.storage.nbd.NbdServer;
import org.roamstore.storage.nbd.NbdTls;
import org.roamstore.storage.replication.NoRemoteCopy;
import org.roamstore.storage.replication.ReplicaVolume;
import org.roamstore.storage.replication.ReplicaVolumes;
import org.roamstore.storage.replication.WriteDataSender;
import org.roamstore.storage.volume.RealVolume;
import org.roamstore.storage.volume.VolumeFiles;

/**
 * One storage control unit (reference text, 115) over one data directory:
 *
 * <pre>
 * dataDirectory/
 *   volumes/&lt;volumeId&gt;.vol        sparse file, its length is the volume size
 *   copygroups/&lt;groupId&gt;.group    copy volume group information (Fig. 3)
 *   exports.log                    NBD export names by their SHA-256, append-only
 *   activity/&lt;volumeId&gt;.hot      regions a crash may leave different between the copies
 *   lock                           held while a control unit runs here
 * </pre>
 *
 * Long-lived threads (destager, NBD accept loop, NBD workers, one per NBD connection) all come from
 * the executor given to {@link #open}; it must be able to run that many tasks at once.
 */
public final class StorageControlUnit implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(StorageControlUnit.class.getName());

  /** Reads through the control path are copied into one array; larger ones are refused. */
  public static final int MAX_CONTROL_READ_BYTES = 64 << 20;

  private final StorageControlUnitConfig config;
  private final FileChannel lockFile;
  private final VolumeFiles volumeFiles;
  private final CopyGroupStore groupStore;
  private final ExportRegistry exports;
  private final CacheMemory cache;
  private final WriteDataSender sender;
  private final WriteRequestExecution writes;
  private final Map<String, HostedVolume> volumes = new ConcurrentHashMap<>();
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
    this.volumeFiles = new VolumeFiles(dir.resolve("volumes"));
    this.groupStore = new CopyGroupStore(dir.resolve("copygroups"));
    this.exports = new ExportRegistry(dir.resolve("exports.log"));
    this.cache = new CacheMemory(config.cacheBytes());
    this.sender = sender;
    this.writes = new WriteRequestExecution(sender);
    this.cooling =
        new ActivityCooling(
            volumes.values(), sender, activitySettings.coolInterval(), COOLING_ROUND_TIMEOUT);
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
      sender.start(unit.new Replicas(), executor);
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
    for (RealVolume file : volumeFiles.openAll()) {
      volumes.put(file.volumeId(), host(file));
    }
    for (CopyVolumeGroupInfo group : groupStore.loadAll()) {
      Optional<CopyGroupMember> member = group.memberAt(config.storageSystem());
      HostedVolume volume = member.map(m -> volumes.get(m.address().volumeId())).orElse(null);
      if (volume == null) {
        LOG.warning("copy group " + group.groupId() + " has no volume here; ignored");
        continue;
      }
      volume.group = group;
    }
    exports.load(volumes::get, writes);
  }

  private HostedVolume host(RealVolume file) throws IOException {
    RealVolumeAddress address = new RealVolumeAddress(config.storageSystem(), file.volumeId());
    ActivityLog activity =
        ActivityLog.open(
            activityFile(file.volumeId()),
            activitySettings.regionBytes(),
            activitySettings.maxHotRegions(),
            cooling::want);
    return new HostedVolume(
        address, file, cache.attach(file), activity, activitySettings.logs(file.volumeId()));
  }

  private Path activityFile(String volumeId) {
    return config.dataDirectory().resolve("activity").resolve(volumeId + ".hot");
  }

  /**
   * After an unclean stop, the hot regions of a volume this unit is primary of may differ between
   * its copies: they are marked out of sync for every secondary (saved) before any write, read or
   * resync starts, and so resynchronised from this copy. A volume this unit holds as a secondary
   * keeps them hot: they are handed to the current primary when the directory defines the group
   * here again.
   */
  private void recoverActivity() {
    for (HostedVolume volume : volumes.values()) {
      BitSet left = volume.activity.leftover();
      CopyVolumeGroupInfo group = volume.group;
      if (left.isEmpty() || !volume.replicatedPrimary(group)) {
        continue;
      }
      LOG.warning(
          "volume "
              + volume.address
              + " was not stopped cleanly: "
              + left.cardinality()
              + " region(s) of "
              + volume.activity.regionBytes()
              + " bytes may differ at its secondaries and are resynchronised from here");
      try {
        sender.inherit(group, everySecondaryMisses(group, left, volume.activity.regionBytes()));
        volume.activity.forgetLeftover();
      } catch (StorageException e) {
        if (e.reason() != Reason.UNSUPPORTED) {
          throw e;
        }
        LOG.warning("volume " + volume.address + ": no remote copy here to resynchronise them");
      }
    }
  }

  private static OutOfSyncRegions everySecondaryMisses(
      CopyVolumeGroupInfo group, BitSet regions, int regionBytes) {
    OutOfSyncRegions all = OutOfSyncRegions.NONE;
    for (CopyGroupMember secondary : group.secondaries()) {
      all = all.with(secondary.address().storageSystem(), regions, regionBytes);
    }
    return all;
  }

  /** A new handle on this control unit; cheap, and dead after its own or the unit's close. */
  public StorageConnection connect() {
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
        volumes.size(),
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
      for (HostedVolume volume : volumes.values()) {
        cooling.cool(volume, CLOSING_ROUND_TIMEOUT);
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
    for (HostedVolume volume : volumes.values()) {
      closeQuietly(volume.file);
      closeQuietly(volume.activity);
    }
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
      if (volumes.containsKey(volumeId) || volumeFiles.exists(volumeId)) {
        throw new StorageException(Reason.VOLUME_EXISTS, "volume " + volumeId + " exists");
      }
      HostedVolume volume;
      try {
        Files.deleteIfExists(activityFile(volumeId)); // of an earlier volume of that name
        volume = host(volumeFiles.create(volumeId, sizeBytes));
      } catch (IOException e) {
        throw new StorageException(
            Reason.IO_ERROR, "cannot create volume " + volumeId + ": " + e.getMessage(), e);
      }
      volumes.put(volumeId, volume);
      return volume.info();
    }
  }

  void deleteVolume(String volumeId) {
    synchronized (admin) {
      checkOpen();
      HostedVolume volume = require(volumeId);
      volume.groupLock.writeLock().lock();
      try {
        exports.awaitDurable(exports.dropFor(volume, Long.MIN_VALUE));
        volumes.remove(volumeId);
        cache.detach(volume.cache, true);
        closeQuietly(volume.file);
        closeQuietly(volume.activity);
        volumeFiles.delete(volumeId);
        Files.deleteIfExists(activityFile(volumeId));
        if (volume.group != null) {
          groupStore.delete(volume.group.groupId());
        }
      } catch (IOException e) {
        throw new StorageException(
            Reason.IO_ERROR, "cannot delete volume " + volumeId + ": " + e.getMessage(), e);
      } finally {
        volume.groupLock.writeLock().unlock();
      }
    }
  }

  Optional<VolumeInfo> volume(String volumeId) {
    checkOpen();
    return Optional.ofNullable(volumes.get(volumeId)).map(HostedVolume::info);
  }

  List<VolumeInfo> volumes() {
    checkOpen();
    List<VolumeInfo> all = new ArrayList<>();
    for (HostedVolume v : volumes.values()) {
      all.add(v.info());
    }
    all.sort(Comparator.comparing(v -> v.address().volumeId()));
    return all;
  }

  /**
   * Stores the copy group information of the member held here (Fig. 9, last step at each member).
   * When this unit stops being the primary, the write data already handed to the sender is drained
   * first, while no new write can start, and what its secondaries miss is returned for the new
   * primary; when it becomes the primary, it takes over what the old one handed over ({@code
   * inherited}), unless it misses regions itself.
   */
  OutOfSyncRegions defineCopyGroup(CopyVolumeGroupInfo group, OutOfSyncRegions inherited) {
    if (group == null) {
      throw new StorageException(Reason.INVALID_ARGUMENT, "copy group information is missing");
    }
    CopyGroupMember member =
        group
            .memberAt(config.storageSystem())
            .orElseThrow(
                () ->
                    new StorageException(
                        Reason.INVALID_ARGUMENT,
                        "copy group "
                            + group.groupId()
                            + " has no member on storage system "
                            + config.storageSystem()));
    synchronized (admin) {
      checkOpen();
      HostedVolume volume = require(member.address().volumeId());
      for (HostedVolume other : volumes.values()) {
        if (other != volume
            && other.group != null
            && other.group.groupId().equals(group.groupId())) {
          throw new StorageException(
              Reason.INVALID_ARGUMENT,
              "copy group " + group.groupId() + " already has volume " + other.id() + " here");
        }
      }
      OutOfSyncRegions handedOver = OutOfSyncRegions.NONE;
      volume.groupLock.writeLock().lock();
      try {
        CopyVolumeGroupInfo current = volume.group;
        if (current != null && !current.groupId().equals(group.groupId())) {
          throw new StorageException(
              Reason.INVALID_ARGUMENT,
              "volume " + volume.id() + " belongs to copy group " + current.groupId());
        }
        if (current != null && group.epoch() < current.epoch()) {
          throw new StorageException(
              Reason.STALE_EPOCH,
              "epoch "
                  + group.epoch()
                  + " is older than the stored epoch "
                  + current.epoch()
                  + " of copy group "
                  + group.groupId());
        }
        boolean wasPrimary = current != null && current.primaryIs(volume.address);
        // The primary told again at its own epoch what a returning member hands over (see
        // SiteService.bringUp in the directory): every other member resyncs it from here.
        boolean rejoin =
            wasPrimary
                && member.primary()
                && current.epoch() == group.epoch()
                && group.members().size() > 1
                && !inherited.isEmpty();
        boolean inheriting = member.primary() && !inherited.isEmpty() && !rejoin;
        if (inheriting && inherited.bytesOf(config.storageSystem()) > 0) {
          throw new StorageException(
              Reason.INVALID_ARGUMENT,
              "volume "
                  + volume.address
                  + " cannot become the primary of copy group "
                  + group.groupId()
                  + ": it misses "
                  + inherited.bytesOf(config.storageSystem())
                  + " bytes written at the old primary while it was out of sync; it must be"
                  + " resynchronised first");
        }
        int hotRegionBytes = volume.activity.regionBytes();
        if (wasPrimary && !member.primary()) {
          boolean drained = drainBeforeDemotion(current, group);
          // Kept here too: if the switch is undone this unit is primary again and still knows.
          handedOver = sender.handOver(current);
          if (drained) {
            volume.cache.flush(); // the copies now agree on everything: nothing stays hot
            volume.activity.clear();
          } else {
            // What only this copy may hold: the new primary resyncs it to here (and elsewhere).
            handedOver =
                handedOver.with(config.storageSystem(), volume.activity.hot(), hotRegionBytes);
          }
        } else if (!member.primary()) {
          // Hot since a time as primary that ended without a drain: handed over (with what its
          // secondaries missed then) at every definition until it is primary again, so that an
          // answer lost on its way to the current primary is given again.
          BitSet hot = volume.activity.hot();
          if (!hot.isEmpty()) {
            handedOver = sender.handOver(group).with(config.storageSystem(), hot, hotRegionBytes);
          }
        }
        try {
          groupStore.save(group);
        } catch (IOException e) {
          throw new StorageException(
              Reason.IO_ERROR, "cannot store copy group " + group.groupId() + ": " + e, e);
        }
        volume.group = group;
        if (inheriting) {
          sender.inherit(group, inherited);
        }
        if (rejoin) {
          Set<String> others = new java.util.TreeSet<>();
          group.secondaries().forEach(m -> others.add(m.address().storageSystem()));
          sender.inherit(group, inherited.spreadTo(others));
        }
        if (member.primary() && !wasPrimary) {
          // Hot from an earlier time as primary: this copy may hold bytes the others lack.
          BitSet stale = volume.activity.hot();
          if (!stale.isEmpty() && group.members().size() > 1) {
            sender.inherit(group, everySecondaryMisses(group, stale, hotRegionBytes));
          }
          volume.activity.clear();
        }
      } finally {
        volume.groupLock.writeLock().unlock();
      }
      // Switches are rare: keep the simple order of forcing while still holding the unit.
      exports.awaitDurable(exports.dropFor(volume, group.epoch()));
      return handedOver;
    }
  }

  /**
   * Ships what this primary still holds before it becomes a secondary. In an orderly switch the
   * directory has already synchronized the cache, so little is left. After a forced takeover the
   * other members follow a newer epoch and refuse this unit's write data, so the drain cannot
   * finish; the demotion must happen all the same, or this unit would remain a second primary. What
   * it could not ship is what the forced takeover reported as possibly lost.
   */
  private boolean drainBeforeDemotion(CopyVolumeGroupInfo current, CopyVolumeGroupInfo next) {
    try {
      sender.drain(current);
      return true;
    } catch (StorageException e) {
      if (e.reason() != Reason.TIMEOUT) {
        throw e;
      }
      LOG.warning(
          "copy group "
              + current.groupId()
              + ": demoted to secondary at epoch "
              + next.epoch()
              + " (new primary "
              + next.primary().address()
              + ") with write data its secondaries did not take: "
              + e.getMessage());
      return false;
    }
  }

  byte[] read(String volumeId, long epoch, long offset, int length) {
    checkOpen();
    HostedVolume volume = require(volumeId);
    volume.cache.checkRange(offset, length);
    if (length > MAX_CONTROL_READ_BYTES) {
      throw new StorageException(
          Reason.INVALID_ARGUMENT,
          "at most " + MAX_CONTROL_READ_BYTES + " bytes per read, asked for " + length);
    }
    byte[] data = new byte[length];
    ReadRequestExecution.read(volume, epoch, offset, ByteBuffer.wrap(data));
    return data;
  }

  void write(String volumeId, long epoch, long offset, byte[] data, boolean fua) {
    checkOpen();
    if (data == null) {
      throw new StorageException(Reason.INVALID_ARGUMENT, "no data to write");
    }
    HostedVolume volume = require(volumeId);
    WriteRequestExecution.await(writes.write(volume, epoch, offset, ByteBuffer.wrap(data)));
    if (fua) {
      writes.flush(volume);
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
    HostedVolume volume = require(volumeId);
    CopyVolumeGroupInfo group;
    volume.groupLock.readLock().lock();
    try {
      group = groupHeldAsPrimary(volume, "synchronize cache");
    } finally {
      volume.groupLock.readLock().unlock();
    }
    return sender.synchronizeCache(
        group, secondaries == null ? Set.of() : Set.copyOf(secondaries), timeout);
  }

  /**
   * The volume's copy group, refused unless this unit holds its primary: {@code what} runs only
   * there. Called with the group lock held.
   */
  private static CopyVolumeGroupInfo groupHeldAsPrimary(HostedVolume volume, String what) {
    CopyVolumeGroupInfo group = volume.group;
    if (group == null) {
      throw new StorageException(
          Reason.NO_COPY_GROUP, "volume " + volume.address + " belongs to no copy group");
    }
    if (!group.primaryIs(volume.address)) {
      throw new StorageException(
          Reason.NOT_PRIMARY,
          what
              + " runs at the primary of copy group "
              + group.groupId()
              + ", which is "
              + group.primary().address());
    }
    return group;
  }

  CopyGroupStatus verify(String volumeId, VerifyRequest request) {
    checkOpen();
    if (request == null) {
      throw new StorageException(Reason.INVALID_ARGUMENT, "a verify request is needed");
    }
    HostedVolume volume = require(volumeId);
    volume.groupLock.readLock().lock();
    try {
      sender.verify(groupHeldAsPrimary(volume, "a verify"), request);
    } finally {
      volume.groupLock.readLock().unlock();
    }
    return sender.status(volume);
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
      HostedVolume volume = require(volumeId);
      ExportBinding binding =
          new ExportBinding(
              ExportRegistry.keyOf(exportName), volume, epoch, expiresAtMillis, writes);
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

  /** The volumes as remote copy sees them. */
  private final class Replicas implements ReplicaVolumes {
    @Override
    public String storageSystem() {
      return config.storageSystem();
    }

    @Override
    public Path stateDirectory() {
      return config.dataDirectory().resolve("replication");
    }

    @Override
    public Optional<ReplicaVolume> byGroup(String groupId) {
      for (HostedVolume v : volumes.values()) {
        CopyVolumeGroupInfo group = v.group;
        if (group != null && group.groupId().equals(groupId)) {
          return Optional.of(v);
        }
      }
      return Optional.empty();
    }

    @Override
    public List<ReplicaVolume> all() {
      List<ReplicaVolume> all = new ArrayList<>();
      for (HostedVolume v : volumes.values()) {
        if (v.group != null) {
          all.add(v);
        }
      }
      return all;
    }
  }

  private HostedVolume require(String volumeId) {
    HostedVolume volume = volumeId == null ? null : volumes.get(volumeId);
    if (volume == null) {
      throw new StorageException(
          Reason.UNKNOWN_VOLUME,
          "no volume " + volumeId + " on storage system " + config.storageSystem());
    }
    return volume;
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      LOG.log(Level.FINE, "closing " + c, e);
    }
  }
}
