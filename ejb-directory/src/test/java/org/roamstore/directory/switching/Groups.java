package org.roamstore.directory.switching;

import java.util.List;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.TransferType;

/** Copy groups for the switch's tests: one volume {@code v1} at every site named. */
final class Groups {
  static final String VOL = "v1";
  static final List<String> THREE_SITES = List.of("seattle", "portland", "sanfrancisco");

  private Groups() {}

  /** A SYNC group of volume {@code v1} at seattle, portland and sanfrancisco. */
  static CopyVolumeGroupInfo of(String primary, long epoch) {
    return of(primary, epoch, THREE_SITES);
  }

  static CopyVolumeGroupInfo of(String primary, long epoch, List<String> sites) {
    return new CopyVolumeGroupInfo(
        VOL,
        TransferType.SYNC,
        epoch,
        sites.stream()
            .map(s -> new CopyGroupMember(new RealVolumeAddress(s, VOL), s.equals(primary)))
            .toList());
  }
}
