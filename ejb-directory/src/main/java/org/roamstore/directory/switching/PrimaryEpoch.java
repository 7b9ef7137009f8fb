package org.roamstore.directory.switching;

import java.util.Map;
import org.roamstore.directory.copygroup.SiteUnreachableException;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.VolumeInfo;

/**
 * The epoch the primary's storage control unit holds, checking that it does hold the primary. A
 * failed switch's undo leaves storage one epoch ahead of the directory ({@link SwitchPlan}), so a
 * login that does not switch binds its access to this epoch when storage refuses the directory's.
 */
final class PrimaryEpoch {
  private PrimaryEpoch() {}

  /** On a connection the caller holds to the primary's storage control unit. */
  static long of(StorageConnection storage, CopyVolumeGroupInfo group) {
    CopyGroupMember primary = group.primary();
    String system = primary.address().storageSystem();
    try {
      VolumeInfo volume =
          storage
              .volume(primary.address().volumeId())
              .orElseThrow(
                  () ->
                      new DirectoryException(
                          ErrorCode.STORAGE_INCONSISTENT,
                          "the primary real volume " + primary.address() + " does not exist"));
      if (!volume.isPrimaryHere()) {
        throw new DirectoryException(
            ErrorCode.STORAGE_INCONSISTENT,
            "the directory has "
                + primary.address()
                + " as primary but its storage control unit does not ("
                + volume.copyGroup().map(Object::toString).orElse("no copy group")
                + ")");
      }
      return volume.copyGroup().orElseThrow().epoch();
    } catch (StorageException e) {
      throw new DirectoryException(
          SiteUnreachableException.isUnreachable(e)
              ? ErrorCode.SITE_UNAVAILABLE
              : ErrorCode.STORAGE_INCONSISTENT,
          "storage system " + system + ": " + e.getMessage(),
          Map.of("site", system));
    }
  }
}
