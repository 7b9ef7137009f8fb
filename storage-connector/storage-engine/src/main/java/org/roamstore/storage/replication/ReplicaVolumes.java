package org.roamstore.storage.replication;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What remote copy may touch of its storage control unit: the volumes that belong to copy groups.
 */
public interface ReplicaVolumes {

  String storageSystem();

  /** Where remote copy keeps its own small state files (a directory it may create). */
  Path stateDirectory();

  /** The volume this unit holds in the copy group, if any. */
  Optional<ReplicaVolume> byGroup(String groupId);

  /** Every volume that belongs to a copy group here. */
  List<ReplicaVolume> all();
}
