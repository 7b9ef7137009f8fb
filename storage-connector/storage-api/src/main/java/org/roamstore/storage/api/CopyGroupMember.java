package org.roamstore.storage.api;

import java.util.Objects;

/** One real volume of a copy volume group and whether it is the group's primary. */
public record CopyGroupMember(RealVolumeAddress address, boolean primary) {
  public CopyGroupMember {
    Objects.requireNonNull(address, "address");
  }
}
