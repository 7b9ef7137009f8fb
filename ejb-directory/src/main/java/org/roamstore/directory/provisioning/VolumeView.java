package org.roamstore.directory.provisioning;

import java.time.Instant;
import java.util.List;

/**
 * A virtual volume as the directory has it and, member by member, as its storage control unit
 * reports it, so an operator (or a test) can see that both agree.
 */
public record VolumeView(
    String name,
    String owner,
    String storageId,
    long sizeBytes,
    String transferType,
    String takeoverPolicy,
    String syncFailurePolicy,
    long minimumStaySeconds,
    long epoch,
    Instant lastSwitchAt,
    int activeGrants,
    List<Member> members,
    List<Switch> switches) {

  /**
   * One real volume.
   *
   * @param copying whether it was added to the volume in use and is not yet known in sync (no login
   *     makes it primary meanwhile)
   * @param replaces the data center whose copy it replaces once complete (a move); null otherwise
   * @param storagePrimary the storage system the member's control unit holds as primary; null when
   *     {@code storageError} says why it could not be asked
   */
  public record Member(
      String dataCenter,
      String address,
      boolean primary,
      boolean copying,
      String replaces,
      boolean up,
      Long storageEpoch,
      String storagePrimary,
      String storageError) {}

  /** One change of primary. */
  public record Switch(
      String from,
      String to,
      long epoch,
      String user,
      boolean forced,
      String skippedMembers,
      String possibleLoss,
      Instant at) {}
}
