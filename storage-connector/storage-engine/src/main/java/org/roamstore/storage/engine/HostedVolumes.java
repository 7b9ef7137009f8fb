package org.roamstore.storage.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.storage.activity.ActivityLog;
import org.roamstore.storage.activity.ActivityLogSettings;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.cache.CacheMemory;
import org.roamstore.storage.copygroup.CopyGroupStore;
import org.roamstore.storage.replication.ReplicaVolume;
import org.roamstore.storage.replication.ReplicaVolumes;
import org.roamstore.storage.replication.WriteDataSender;
import org.roamstore.storage.volume.RealVolume;
import org.roamstore.storage.volume.VolumeFiles;

/**
 * The volumes of one control unit by id, each as the {@link CopyGroupReplica} that is its place in
 * a copy group: loaded from the data directory at open (files, then groups), created and deleted
 * with their files. Changes run under the unit's admin lock; lookups are lock-free.
 */
final class HostedVolumes {
  private static final Logger LOG = Logger.getLogger(HostedVolumes.class.getName());

  private final String storageSystem;
  private final Path dataDirectory;
  private final VolumeFiles files;
  private final CopyGroupStore groupStore;
  private final ExportRegistry exports;
  private final CacheMemory cache;
  private final WriteDataSender sender;
  private final ActivityLogSettings activitySettings;
  private final Runnable wantCooling;
  private final Map<String, CopyGroupReplica> byId = new ConcurrentHashMap<>();

  HostedVolumes(
      String storageSystem,
      Path dataDirectory,
      ExportRegistry exports,
      CacheMemory cache,
      WriteDataSender sender,
      ActivityLogSettings activitySettings,
      Runnable wantCooling)
      throws IOException {
    this.storageSystem = storageSystem;
    this.dataDirectory = dataDirectory;
    this.files = new VolumeFiles(dataDirectory.resolve("volumes"));
    this.groupStore = new CopyGroupStore(dataDirectory.resolve("copygroups"));
    this.exports = exports;
    this.cache = cache;
    this.sender = sender;
    this.activitySettings = activitySettings;
    this.wantCooling = wantCooling;
  }

  /** Opens every volume file, then gives each its stored copy group. */
  void load() throws IOException {
    for (RealVolume file : files.openAll()) {
      byId.put(file.volumeId(), host(file));
    }
    for (CopyVolumeGroupInfo group : groupStore.loadAll()) {
      Optional<CopyGroupMember> member = group.memberAt(storageSystem);
      CopyGroupReplica replica = member.map(m -> byId.get(m.address().volumeId())).orElse(null);
      if (replica == null) {
        LOG.warning("copy group " + group.groupId() + " has no volume here; ignored");
        continue;
      }
      replica.loaded(group);
    }
  }

  private CopyGroupReplica host(RealVolume file) throws IOException {
    RealVolumeAddress address = new RealVolumeAddress(storageSystem, file.volumeId());
    ActivityLog activity =
        ActivityLog.open(
            activityFile(file.volumeId()),
            activitySettings.regionBytes(),
            activitySettings.maxHotRegions(),
            wantCooling);
    HostedVolume volume =
        new HostedVolume(
            address, file, cache.attach(file), activity, activitySettings.logs(file.volumeId()));
    return new CopyGroupReplica(volume, sender, groupStore, exports);
  }

  private Path activityFile(String volumeId) {
    return dataDirectory.resolve("activity").resolve(volumeId + ".hot");
  }

  /** A new, empty volume; called under the unit's admin lock. */
  CopyGroupReplica create(String volumeId, long sizeBytes) {
    if (byId.containsKey(volumeId) || files.exists(volumeId)) {
      throw new StorageException(Reason.VOLUME_EXISTS, "volume " + volumeId + " exists");
    }
    CopyGroupReplica replica;
    try {
      Files.deleteIfExists(activityFile(volumeId)); // of an earlier volume of that name
      replica = host(files.create(volumeId, sizeBytes));
    } catch (IOException e) {
      throw new StorageException(
          Reason.IO_ERROR, "cannot create volume " + volumeId + ": " + e.getMessage(), e);
    }
    byId.put(volumeId, replica);
    return replica;
  }

  /**
   * Deletes a volume with its files, its copy group information and its exports; called under the
   * unit's admin lock. No read or write is admitted meanwhile, and none after.
   */
  void delete(String volumeId) {
    CopyGroupReplica replica = require(volumeId);
    try {
      replica.remove(
          () -> {
            exports.awaitDurable(exports.dropFor(replica, Long.MIN_VALUE));
            byId.remove(volumeId);
            cache.detach(replica.volume.cache, true);
            closeQuietly(replica.volume.file);
            closeQuietly(replica.volume.activity);
            files.delete(volumeId);
            Files.deleteIfExists(activityFile(volumeId));
          });
    } catch (IOException e) {
      throw new StorageException(
          Reason.IO_ERROR, "cannot delete volume " + volumeId + ": " + e.getMessage(), e);
    }
  }

  Optional<CopyGroupReplica> find(String volumeId) {
    return Optional.ofNullable(volumeId == null ? null : byId.get(volumeId));
  }

  CopyGroupReplica require(String volumeId) {
    return find(volumeId)
        .orElseThrow(
            () ->
                new StorageException(
                    Reason.UNKNOWN_VOLUME,
                    "no volume " + volumeId + " on storage system " + storageSystem));
  }

  /**
   * The member of {@code group} held here, refused if the group names none on this storage system,
   * a missing volume, or if another volume here already belongs to that group.
   */
  CopyGroupReplica memberOf(CopyVolumeGroupInfo group) {
    CopyGroupMember member =
        group
            .memberAt(storageSystem)
            .orElseThrow(
                () ->
                    new StorageException(
                        Reason.INVALID_ARGUMENT,
                        "copy group "
                            + group.groupId()
                            + " has no member on storage system "
                            + storageSystem));
    CopyGroupReplica replica = require(member.address().volumeId());
    for (CopyGroupReplica other : byId.values()) {
      CopyVolumeGroupInfo its = other.group();
      if (other != replica && its != null && its.groupId().equals(group.groupId())) {
        throw new StorageException(
            Reason.INVALID_ARGUMENT,
            "copy group " + group.groupId() + " already has volume " + other.id() + " here");
      }
    }
    return replica;
  }

  /** Every volume; a live view. */
  Collection<CopyGroupReplica> all() {
    return byId.values();
  }

  int count() {
    return byId.size();
  }

  void closeFiles() {
    for (CopyGroupReplica replica : byId.values()) {
      closeQuietly(replica.volume.file);
      closeQuietly(replica.volume.activity);
    }
  }

  /** The volumes as remote copy sees them: those in a copy group. */
  ReplicaVolumes asReplicas() {
    return new ReplicaVolumes() {
      @Override
      public String storageSystem() {
        return storageSystem;
      }

      @Override
      public Path stateDirectory() {
        return dataDirectory.resolve("replication");
      }

      @Override
      public Optional<ReplicaVolume> byGroup(String groupId) {
        for (CopyGroupReplica r : byId.values()) {
          CopyVolumeGroupInfo group = r.group();
          if (group != null && group.groupId().equals(groupId)) {
            return Optional.of(r);
          }
        }
        return Optional.empty();
      }

      @Override
      public List<ReplicaVolume> all() {
        List<ReplicaVolume> all = new ArrayList<>();
        for (CopyGroupReplica r : byId.values()) {
          if (r.role() != CopyGroupReplica.Role.NONE) {
            all.add(r);
          }
        }
        return all;
      }
    };
  }

  static void closeQuietly(AutoCloseable c) {
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
