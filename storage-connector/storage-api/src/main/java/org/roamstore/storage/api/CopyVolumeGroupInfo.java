package org.roamstore.storage.api;

import java.util.List;
import java.util.Objects;

/**
 * Copy volume group information (reference text, Fig. 3), as every storage control unit holding a
 * member keeps it. The epoch changes at every change of primary; storage writes carry it, so a
 * demoted primary can refuse writes issued to it before the switch. {@code syncFailurePolicy} says
 * what a SYNC primary does when a secondary stops answering (ignored for ASYNC groups).
 */
public record CopyVolumeGroupInfo(
    String groupId,
    TransferType transferType,
    long epoch,
    List<CopyGroupMember> members,
    SyncFailurePolicy syncFailurePolicy) {

  /** A group with the default policy, {@link SyncFailurePolicy#MARK_OUT_OF_SYNC}. */
  public CopyVolumeGroupInfo(
      String groupId, TransferType transferType, long epoch, List<CopyGroupMember> members) {
    this(groupId, transferType, epoch, members, SyncFailurePolicy.MARK_OUT_OF_SYNC);
  }

  public CopyVolumeGroupInfo {
    Names.require("copy group id", groupId);
    Objects.requireNonNull(transferType, "transfer type");
    Objects.requireNonNull(syncFailurePolicy, "sync failure policy");
    if (epoch < 1) {
      throw new StorageException(
          StorageException.Reason.INVALID_ARGUMENT, "epoch must be at least 1, got " + epoch);
    }
    members = List.copyOf(members);
    long primaries = members.stream().filter(CopyGroupMember::primary).count();
    if (primaries != 1) {
      throw new StorageException(
          StorageException.Reason.INVALID_ARGUMENT,
          "a copy group has exactly one primary, got " + primaries + " in " + groupId);
    }
    if (members.stream().map(m -> m.address().storageSystem()).distinct().count()
        != members.size()) {
      throw new StorageException(
          StorageException.Reason.INVALID_ARGUMENT,
          "a copy group holds at most one real volume per storage system: " + members);
    }
  }

  /** The same group with its primary at another of its storage systems, under another epoch. */
  public CopyVolumeGroupInfo withPrimary(String storageSystem, long newEpoch) {
    if (memberAt(storageSystem).isEmpty()) {
      throw new StorageException(
          StorageException.Reason.INVALID_ARGUMENT,
          "copy group " + groupId + " has no member on storage system " + storageSystem);
    }
    return new CopyVolumeGroupInfo(
        groupId,
        transferType,
        newEpoch,
        members.stream()
            .map(
                m ->
                    new CopyGroupMember(
                        m.address(), m.address().storageSystem().equals(storageSystem)))
            .toList(),
        syncFailurePolicy);
  }

  public CopyGroupMember primary() {
    return members.stream().filter(CopyGroupMember::primary).findFirst().orElseThrow();
  }

  /**
   * Whether the copy at {@code address} is the group's primary: the one test of "this unit holds
   * the primary" wherever a unit decides whether to serve, send or apply.
   */
  public boolean primaryIs(RealVolumeAddress address) {
    return primary().address().equals(address);
  }

  public List<CopyGroupMember> secondaries() {
    return members.stream().filter(m -> !m.primary()).toList();
  }

  /** The member held by the given storage system, if any. */
  public java.util.Optional<CopyGroupMember> memberAt(String storageSystem) {
    return members.stream()
        .filter(m -> m.address().storageSystem().equals(storageSystem))
        .findFirst();
  }
}
