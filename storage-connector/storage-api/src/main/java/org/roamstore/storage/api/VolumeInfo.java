package org.roamstore.storage.api;

import java.util.Optional;

/**
 * A real volume as its storage control unit sees it: size, and the copy group it belongs to (empty
 * until a group is defined; a volume without a group serves nobody).
 */
public record VolumeInfo(
    RealVolumeAddress address, long sizeBytes, Optional<CopyVolumeGroupInfo> copyGroup) {

  public boolean isPrimaryHere() {
    return copyGroup.map(g -> g.primaryIs(address)).orElse(false);
  }
}
