package org.roamstore.directory.access;

import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.validation.constraints.NotNull;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.model.AccessGrant;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.model.NetworkInterface;
import org.roamstore.directory.model.RealVolumeInfo;
import org.roamstore.directory.model.VirtualVolume;
import org.roamstore.directory.placement.PlacementService;
import org.roamstore.directory.security.AccessTokens;
import org.roamstore.directory.switching.RunningDrains;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageStatus;
import org.roamstore.storage.api.VolumeInfo;

/** The directory's side of the gateway's pages and REST API, beyond the login itself. */
@Stateless
public class AccessService {
  private static final Logger LOG = Logger.getLogger(AccessService.class.getName());

  @PersistenceContext(unitName = "directory")
  private EntityManager em;

  @Inject private StorageSites sites;
  @Inject private RunningDrains drains;
  @Inject private PlacementService placement;

  public List<VolumeSummary> volumesOf(@NotNull String user) {
    return em
        .createQuery(
            "select v from VirtualVolume v where v.owner.name = :user order by v.name",
            VirtualVolume.class)
        .setParameter("user", user)
        .getResultList()
        .stream()
        .map(
            v ->
                new VolumeSummary(
                    v.name(),
                    v.sizeBytes(),
                    v.transferType().name(),
                    v.primary().dataCenter().name(),
                    v.realVolumes().stream().map(r -> r.dataCenter().name()).toList(),
                    v.epoch()))
        .toList();
  }

  /**
   * The access a bearer token stands for, if it is still good. Unknown, revoked and expired tokens
   * are told apart, so a client knows whether logging in again helps.
   */
  public BlockAccess authorize(@NotNull String bearerToken) {
    AccessGrant grant = grant(bearerToken);
    Instant now = Instant.now();
    if (grant.isRevoked()) {
      throw new DirectoryException(
          ErrorCode.TOKEN_REVOKED,
          "this access was revoked (a logout, or a login elsewhere took the volume over);"
              + " log in again");
    }
    if (!grant.isActive(now)) {
      throw new DirectoryException(
          ErrorCode.TOKEN_EXPIRED, "this access expired at " + grant.expiresAt());
    }
    VirtualVolume volume = grant.virtualVolume();
    RealVolumeInfo real =
        volume
            .realVolumeAt(grant.dataCenter().name())
            .orElseThrow(
                () ->
                    new DirectoryException(
                        ErrorCode.TOKEN_INVALID, "the volume of this access has no copy there"));
    return new BlockAccess(
        grant.userName(),
        volume.name(),
        grant.dataCenter().name(),
        grant.dataCenter().storageSystem(),
        real.volumeId(),
        grant.epoch(),
        volume.sizeBytes());
  }

  /**
   * Ends the access of the given bearer tokens that belong to the user: the directory forgets them
   * and their NBD exports are removed at storage. Returns how many were active.
   */
  public int revoke(@NotNull String user, @NotNull Collection<String> bearerTokens) {
    Instant now = Instant.now();
    int revoked = 0;
    for (String token : bearerTokens) {
      AccessGrant grant = find(token);
      if (grant == null || !grant.userName().equals(user) || !grant.isActive(now)) {
        continue;
      }
      grant.revoke(now);
      revoked++;
      DataCenter site = grant.dataCenter();
      if (!site.isUp()) {
        continue; // its exports die with the epoch when it comes back (SiteService.markUp)
      }
      try (StorageConnection storage = sites.connect(site.storageSystem())) {
        storage.revokeExport(grant.exportName());
      } catch (RuntimeException e) {
        LOG.log(
            Level.INFO,
            "the export of a revoked grant was not removed at " + site.name() + ": " + e);
      }
    }
    return revoked;
  }

  /** Every site, network interface and copy group; storage is asked once per site. */
  public SystemStatus status() {
    List<DataCenter> centers =
        em.createNamedQuery(DataCenter.ALL, DataCenter.class).getResultList();
    Map<String, StorageConnection> open = new HashMap<>();
    try {
      Map<String, Map<String, VolumeInfo>> held = new HashMap<>();
      Map<String, String> errors = new HashMap<>();
      List<SystemStatus.Site> siteList = new ArrayList<>();
      for (DataCenter d : centers) {
        if (!d.isUp()) {
          // A site marked down is not contacted, as a login does not contact it.
          errors.put(d.name(), "marked down");
          siteList.add(site(d, false, "marked down", null));
          continue;
        }
        try {
          StorageConnection storage = sites.connect(d.storageSystem());
          open.put(d.name(), storage);
          StorageStatus s = storage.status();
          Map<String, VolumeInfo> volumes = new HashMap<>();
          storage.volumes().forEach(v -> volumes.put(v.address().volumeId(), v));
          held.put(d.name(), volumes);
          siteList.add(site(d, true, null, s));
        } catch (RuntimeException e) {
          errors.put(d.name(), String.valueOf(e.getMessage()));
          siteList.add(site(d, true, String.valueOf(e.getMessage()), null));
        }
      }
      Instant now = Instant.now();
      Map<String, Long> grants = new HashMap<>();
      em.createQuery(
              "select g.virtualVolume.name, count(g) from AccessGrant g where g.revokedAt is null"
                  + " and g.expiresAt > :now group by g.virtualVolume.name",
              Object[].class)
          .setParameter("now", now)
          .getResultList()
          .forEach(row -> grants.put((String) row[0], (Long) row[1]));
      List<SystemStatus.CopyGroup> groups = new ArrayList<>();
      for (VirtualVolume v :
          em.createNamedQuery(VirtualVolume.ALL, VirtualVolume.class).getResultList()) {
        RealVolumeInfo primary = v.primary();
        StorageConnection atPrimary = open.get(primary.dataCenter().name());
        List<SystemStatus.Member> members = new ArrayList<>();
        for (RealVolumeInfo r : v.realVolumes()) {
          String dc = r.dataCenter().name();
          Long epoch = null;
          String storagePrimary = null;
          String error = errors.get(dc);
          if (error == null) {
            VolumeInfo info = held.getOrDefault(dc, Map.of()).get(r.volumeId());
            if (info == null) {
              error = "no such real volume";
            } else if (info.copyGroup().isEmpty()) {
              error = "no copy group";
            } else {
              CopyVolumeGroupInfo g = info.copyGroup().get();
              epoch = g.epoch();
              storagePrimary = siteOf(centers, g.primary().address().storageSystem());
            }
          }
          ReplicationLag.Lag lag = null;
          if (!r.isPrimary()) {
            lag =
                (atPrimary == null
                        ? Optional.<ReplicationLag.Lag>empty()
                        : ReplicationLag.of(
                            atPrimary, primary.volumeId(), r.dataCenter().storageSystem()))
                    .orElse(ReplicationLag.Lag.NOT_REPORTED);
          }
          members.add(
              new SystemStatus.Member(
                  dc,
                  r.isPrimary(),
                  r.dataCenter().isUp(),
                  r.isCopying(),
                  r.replaces().orElse(null),
                  epoch,
                  storagePrimary,
                  error,
                  lag));
        }
        groups.add(
            new SystemStatus.CopyGroup(
                v.name(),
                v.owner().name(),
                v.storageId(),
                v.transferType().name(),
                v.epoch(),
                primary.dataCenter().name(),
                grants.getOrDefault(v.name(), 0L).intValue(),
                v.lastSwitchAt().orElse(null),
                members,
                LongOperations.of(
                    members,
                    drains.of(v.storageId()),
                    storageSystem -> siteOf(centers, storageSystem)),
                v.placement().isOff() ? null : placement.view(v, centers)));
      }
      return new SystemStatus(now, siteList, networkInterfaces(), groups);
    } finally {
      open.values().forEach(StorageConnection::close);
    }
  }

  private List<SystemStatus.NetworkInterface> networkInterfaces() {
    return em
        .createNamedQuery(NetworkInterface.ALL, NetworkInterface.class)
        .getResultList()
        .stream()
        .map(
            n ->
                new SystemStatus.NetworkInterface(
                    n.name(), n.displayName(), n.position().latitude(), n.position().longitude()))
        .toList();
  }

  private static SystemStatus.Site site(DataCenter d, boolean up, String error, StorageStatus s) {
    return new SystemStatus.Site(
        d.name(),
        d.displayName(),
        d.storageSystem(),
        d.position().latitude(),
        d.position().longitude(),
        up,
        s != null,
        error,
        s == null ? 0 : s.volumes(),
        s == null ? 0 : s.cacheCapacityBytes(),
        s == null ? 0 : s.cacheDirtyBytes(),
        s == null ? null : s.nbdHost(),
        s == null ? 0 : s.nbdPort(),
        s == null ? null : s.nbdTls().text());
  }

  private static String siteOf(List<DataCenter> centers, String storageSystem) {
    return centers.stream()
        .filter(d -> d.storageSystem().equals(storageSystem))
        .map(DataCenter::name)
        .findFirst()
        .orElse(storageSystem);
  }

  private AccessGrant grant(String bearerToken) {
    AccessGrant grant = find(bearerToken);
    if (grant == null) {
      throw new DirectoryException(
          ErrorCode.TOKEN_INVALID, "this bearer token was never issued; log in to get one");
    }
    return grant;
  }

  private AccessGrant find(String bearerToken) {
    return em.createNamedQuery(AccessGrant.BY_BEARER_HASH, AccessGrant.class)
        .setParameter("hash", AccessTokens.hash(bearerToken))
        .getResultStream()
        .findFirst()
        .orElse(null);
  }
}
