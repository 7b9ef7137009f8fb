package org.roamstore.directory.login;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.directory.copygroup.SiteUnreachableException;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.login.NetworkInterfaces.Via;
import org.roamstore.directory.model.AccessGrant;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.model.DirectoryUser;
import org.roamstore.directory.model.RealVolumeInfo;
import org.roamstore.directory.model.VirtualVolume;
import org.roamstore.directory.security.AccessTokens;
import org.roamstore.directory.switching.SwitchService;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageStatus;

/**
 * The access a login grants: an export registered at the primary's storage, bound to the epoch its
 * storage enforces, and the grant row with the hash of the bearer token; and at a switch, the
 * grants elsewhere that end. Runs in the login's transaction.
 */
@ApplicationScoped
public class AccessGrants {
  private static final Logger LOG = Logger.getLogger(AccessGrants.class.getName());

  /** How long access from one login lasts. */
  static final Duration GRANT_LIFETIME = Duration.ofHours(12);

  /**
   * The volume's active grants at other data centers than one: what a switch to that one takes
   * over. Not every active grant: a user who keeps logging in at the primary gathers grants there,
   * and a login at the primary needs none of them.
   */
  static final String ACTIVE_ELSEWHERE =
      "select g from AccessGrant g where g.virtualVolume = :volume and g.revokedAt is null"
          + " and g.expiresAt > :now and g.dataCenter <> :site order by g.id";

  @PersistenceContext(unitName = "directory")
  private EntityManager em;

  @Inject private StorageSites sites;
  @Inject private NbdEndpoints endpoints;
  @Inject private SwitchService switches;

  /** The volume's active grants at other data centers than {@code site} (see ACTIVE_ELSEWHERE). */
  List<AccessGrant> activeElsewhere(VirtualVolume volume, DataCenter site, Instant now) {
    return em.createQuery(ACTIVE_ELSEWHERE, AccessGrant.class)
        .setParameter("volume", volume)
        .setParameter("now", now)
        .setParameter("site", site)
        .getResultList();
  }

  /**
   * Takeover: access through other sites ends. Their exports died with the old epoch anyway, and a
   * member the switch reached dropped them durably when it learned the new epoch; only sites it did
   * not reach (a forced takeover) are asked to revoke, in case they answer again.
   */
  int revokeElsewhere(
      List<AccessGrant> active, DataCenter keep, List<String> switched, Instant now) {
    int revoked = 0;
    for (AccessGrant grant : active) {
      if (grant.dataCenter().equals(keep)) {
        continue;
      }
      grant.revoke(now);
      revoked++;
      if (grant.dataCenter().isUp() && !switched.contains(grant.dataCenter().storageSystem())) {
        try (StorageConnection storage = sites.connect(grant.dataCenter().storageSystem())) {
          storage.revokeExport(grant.exportName());
        } catch (RuntimeException e) {
          LOG.log(
              Level.INFO,
              "export of a revoked grant was not removed at "
                  + grant.dataCenter().name()
                  + " (its epoch has moved on, so it is refused anyway): "
                  + e.getMessage());
        }
      }
    }
    return revoked;
  }

  /** A grant made: the row, the bearer token the user gets (only its hash is kept), the site. */
  record Issued(AccessGrant grant, String bearerToken, StorageStatus status) {}

  /**
   * A login that does not switch: access at the primary, bound to the epoch its storage enforces,
   * on one connection. Storage may be ahead of the directory (after an undo, see {@link
   * SwitchService}); the export is tried at the directory's epoch first, which is right nearly
   * always, and only a refusal of that epoch costs asking storage for its own.
   */
  Issued issueAtPrimary(
      VirtualVolume volume, RealVolumeInfo at, DirectoryUser user, Via via, Instant now) {
    String exportName = AccessTokens.newExportName();
    Instant expiresAt = now.plus(GRANT_LIFETIME);
    DataCenter site = at.dataCenter();
    long epoch = volume.epoch();
    StorageStatus status;
    try (StorageConnection storage = sites.connect(site.storageSystem())) {
      try {
        storage.registerExport(exportName, at.volumeId(), epoch, expiresAt);
      } catch (StorageException e) {
        if (SiteUnreachableException.isUnreachable(e)) {
          throw e;
        }
        // Not this epoch, or not primary here: what storage holds decides (and explains).
        epoch = switches.epochAtPrimary(storage, volume.copyGroup());
        volume.catchUpEpoch(epoch);
        storage.registerExport(exportName, at.volumeId(), epoch, expiresAt);
      }
      status = endpoints.of(storage);
    } catch (DirectoryException e) {
      throw e;
    } catch (RuntimeException e) {
      throw notGranted(site, e);
    }
    return record(volume, at, user, via, exportName, epoch, status, now);
  }

  /** Registers a fresh export at the site's storage, bound to the epoch, and records the grant. */
  Issued issue(
      VirtualVolume volume,
      RealVolumeInfo at,
      DirectoryUser user,
      Via via,
      long epoch,
      Instant now) {
    String exportName = AccessTokens.newExportName();
    DataCenter site = at.dataCenter();
    StorageStatus status;
    try (StorageConnection storage = sites.connect(site.storageSystem())) {
      storage.registerExport(exportName, at.volumeId(), epoch, now.plus(GRANT_LIFETIME));
      status = endpoints.of(storage);
    } catch (RuntimeException e) {
      throw notGranted(site, e);
    }
    return record(volume, at, user, via, exportName, epoch, status, now);
  }

  private static DirectoryException notGranted(DataCenter site, RuntimeException e) {
    return new DirectoryException(
        ErrorCode.SITE_UNAVAILABLE,
        "storage at " + site.name() + " did not grant access: " + e.getMessage(),
        Map.of("site", site.name()));
  }

  private Issued record(
      VirtualVolume volume,
      RealVolumeInfo at,
      DirectoryUser user,
      Via via,
      String exportName,
      long epoch,
      StorageStatus status,
      Instant now) {
    String bearer = AccessTokens.newBearerToken();
    DataCenter site = at.dataCenter();
    AccessGrant grant =
        new AccessGrant(
            volume,
            site,
            user.name(),
            via.name(),
            exportName,
            AccessTokens.hash(bearer),
            epoch,
            now,
            now.plus(GRANT_LIFETIME));
    em.persist(grant);
    return new Issued(grant, bearer, status);
  }
}
