package org.roamstore.directory.access;

import java.time.Instant;
import java.util.List;

/** Every site and every copy volume group at one moment, for the operator's status page. */
public record SystemStatus(Instant at, List<Site> sites, List<CopyGroup> copyGroups) {

  /**
   * A data center: the directory's up/down flag and what its storage control unit reports.
   *
   * @param reachable whether its storage control unit answered just now
   * @param error why it did not, else null
   * @param nbdTls the NBD server's TLS mode ({@code off}, {@code optional}, {@code required}), null
   *     when unreachable
   */
  public record Site(
      String name,
      String displayName,
      String storageSystem,
      boolean up,
      boolean reachable,
      String error,
      int volumes,
      long cacheCapacityBytes,
      long cacheDirtyBytes,
      String nbdHost,
      int nbdPort,
      String nbdTls) {}

  /** A virtual volume's copy volume group. */
  public record CopyGroup(
      String volume,
      String owner,
      String groupId,
      String transferType,
      long epoch,
      String primary,
      int activeGrants,
      Instant lastSwitchAt,
      List<Member> members) {}

  /**
   * One member as the directory and its storage see it.
   *
   * @param lag null for the primary; for a secondary, empty figures until storage reports them
   */
  public record Member(
      String dataCenter,
      boolean primary,
      boolean up,
      Long storageEpoch,
      String storagePrimary,
      String error,
      ReplicationLag.Lag lag) {}
}
