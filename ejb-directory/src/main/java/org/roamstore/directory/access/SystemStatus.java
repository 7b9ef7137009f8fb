package org.roamstore.directory.access;

import java.time.Instant;
import java.util.List;
import org.roamstore.directory.placement.PlacementView;

/**
 * Every site, network interface and copy volume group at one moment, for the operator's status
 * page.
 */
public record SystemStatus(
    Instant at,
    List<Site> sites,
    List<NetworkInterface> networkInterfaces,
    List<CopyGroup> copyGroups) {

  /** A network interface where users attach, at its position (degrees). */
  public record NetworkInterface(
      String name, String displayName, double latitude, double longitude) {}

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
      double latitude,
      double longitude,
      boolean up,
      boolean reachable,
      String error,
      int volumes,
      long cacheCapacityBytes,
      long cacheDirtyBytes,
      String nbdHost,
      int nbdPort,
      String nbdTls) {}

  /**
   * A virtual volume's copy volume group.
   *
   * @param operations its long operations running now (drain, resync, verify), see {@link
   *     LongOperations}
   * @param placement its placement policy and what it sees; null when it has none (off)
   */
  public record CopyGroup(
      String volume,
      String owner,
      String groupId,
      String transferType,
      long epoch,
      String primary,
      int activeGrants,
      Instant lastSwitchAt,
      List<Member> members,
      List<Operation> operations,
      PlacementView placement) {}

  /**
   * One long operation in progress on a copy group.
   *
   * @param kind DRAIN (the old primary shipping queued writes before a switch), RESYNC,
   *     INITIAL_COPY (the resync of a copy added to the volume in use) or VERIFY
   * @param dataCenter the secondary it works on; for a drain, the new primary
   * @param from for a drain, the old primary; null otherwise
   * @param percent how far it got, 0-100; null when storage does not say
   * @param startedAt when it began, where known
   */
  public record Operation(
      String kind, String dataCenter, String from, Integer percent, Instant startedAt) {}

  /**
   * One member as the directory and its storage see it.
   *
   * @param copying whether it was added to the volume in use and is not yet complete (copied, then
   *     verified); no login makes it primary meanwhile
   * @param replaces the data center whose copy it replaces once complete (a move); null otherwise
   * @param lag null for the primary; for a secondary, empty figures until storage reports them
   */
  public record Member(
      String dataCenter,
      boolean primary,
      boolean up,
      boolean copying,
      String replaces,
      Long storageEpoch,
      String storagePrimary,
      String error,
      ReplicationLag.Lag lag) {}
}
