package org.roamstore.directory.login;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObjectBuilder;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.LockTimeoutException;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.PessimisticLockException;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.roamstore.directory.copygroup.AsyncWriteDrain;
import org.roamstore.directory.copygroup.CopyGroupDefinition;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.directory.events.DirectoryEvents;
import org.roamstore.directory.events.EventType;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.login.LoginPolicy.Decision;
import org.roamstore.directory.login.LoginPolicy.Outcome;
import org.roamstore.directory.login.NetworkInterfaces.Via;
import org.roamstore.directory.model.AccessGrant;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.model.DirectoryUser;
import org.roamstore.directory.model.PrimarySwitch;
import org.roamstore.directory.model.RealVolumeInfo;
import org.roamstore.directory.model.VirtualVolume;
import org.roamstore.directory.security.AccessTokens;
import org.roamstore.directory.security.UserDirectory;
import org.roamstore.directory.transaction.AfterCompletion;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageStatus;
import org.roamstore.storage.api.TransferType;

/**
 * The log in process (Fig. 8) in one JTA transaction of the directory.
 *
 * <p>The virtual volume's row is locked (pessimistic write) before anything is decided, so two
 * logins for the same volume run one after the other and the second sees the first's primary: there
 * are never two primaries. Storage control units are not transactional; a switch that the directory
 * cannot commit is undone at storage (in this method when it fails here, by a transaction
 * synchronization when the commit itself fails).
 */
@Stateless
public class LoginService {
  private static final Logger LOG = Logger.getLogger(LoginService.class.getName());

  /** How long access from one login lasts. */
  static final Duration GRANT_LIFETIME = Duration.ofHours(12);

  /** How long a login waits for another login or change holding the same volume. */
  static final int LOCK_TIMEOUT_MS = 10_000;

  /**
   * The volume's active grants at other data centers than one: what a switch to that one takes
   * over. Not every active grant: a user who keeps logging in at the primary gathers grants there,
   * and a login at the primary needs none of them.
   */
  static final String ACTIVE_ELSEWHERE =
      "select g from AccessGrant g where g.virtualVolume = :volume and g.revokedAt is null"
          + " and g.expiresAt > :now and g.dataCenter <> :site order by g.id";

  /**
   * The login answer's JSON. {@code Json.createObjectBuilder()} looks the provider up again on
   * every call, through the web application's class loader (a scan of its jars); with the login
   * answer's JSON, about a tenth of the server's CPU samples under the login benchmark.
   */
  private static final JsonBuilderFactory JSON = Json.createBuilderFactory(Map.of());

  @PersistenceContext(unitName = "directory")
  private EntityManager em;

  @Inject private UserDirectory users;
  @Inject private StorageSites sites;
  @Inject private AsyncWriteDrain drain;
  @Inject private DirectoryEvents events;
  @Inject private StorageCalls storageCalls;
  @Inject private NetworkInterfaces networkInterfaces;
  @Inject private NbdEndpoints endpoints;

  @Resource private TransactionSynchronizationRegistry transactions;
  @Resource private SessionContext session;

  private CopyGroupDefinition definition;

  @PostConstruct
  void init() {
    definition = new CopyGroupDefinition(sites, drain, storageCalls);
  }

  public LoginResult login(@NotNull @Valid LoginRequest request) {
    DirectoryUser user = users.authenticate(request.user(), request.password());
    return login(user, request);
  }

  /**
   * The same login for the caller the container authenticated already (the gateway's signed-in
   * pages), so the password is not asked for a second time. The user is the EJB caller, never a
   * name the request gives.
   */
  public LoginResult loginAsCaller(@NotNull @Valid CallerLoginRequest request) {
    String caller = session.getCallerPrincipal().getName();
    DirectoryUser user =
        users
            .find(caller)
            .orElseThrow(
                () ->
                    new DirectoryException(
                        ErrorCode.AUTHENTICATION_FAILED, "sign in first (caller " + caller + ")"));
    return login(
        user,
        new LoginRequest(
            user.name(),
            "(signed in)",
            request.volume(),
            request.networkInterface(),
            request.clientAddress(),
            request.force(),
            null));
  }

  private LoginResult login(DirectoryUser user, LoginRequest request) {
    Via via = networkInterface(request);
    VirtualVolume volume = lockVolume(em, request.volume());
    if (!volume.isOwnedBy(user.name())) {
      throw new DirectoryException(
          ErrorCode.NOT_YOUR_VOLUME, "volume '" + volume.name() + "' belongs to another user");
    }
    Instant now = Instant.now();

    List<NearestSite.Site> candidates =
        volume.realVolumes().stream()
            .map(r -> r.dataCenter())
            .map(d -> new NearestSite.Site(d.name(), d.position(), d.isUp()))
            .toList();
    NearestSite.Choice nearest =
        NearestSite.choose(via.position(), candidates)
            .orElseThrow(
                () ->
                    new DirectoryException(
                        ErrorCode.NO_SITE_AVAILABLE,
                        "every data center holding volume '"
                            + volume.name()
                            + "' is down: "
                            + candidates.stream()
                                .map(NearestSite.Site::name)
                                .collect(Collectors.joining(", "))));
    RealVolumeInfo primary = volume.primary();
    String nearestName = nearest.site().name();
    RealVolumeInfo target = volume.realVolumeAt(nearestName).orElseThrow();
    // At the primary nothing is taken over, so the grants elsewhere do not matter.
    List<AccessGrant> active =
        target == primary
            ? List.of()
            : em.createQuery(ACTIVE_ELSEWHERE, AccessGrant.class)
                .setParameter("volume", volume)
                .setParameter("now", now)
                .setParameter("site", target.dataCenter())
                .getResultList();
    Decision decision =
        LoginPolicy.decide(
            new LoginPolicy.Facts(
                nearestName,
                primary.dataCenter().name(),
                primary.dataCenter().isUp(),
                volume.lastSwitchAt(),
                volume.minimumStay(),
                volume.takeoverPolicy(),
                active.size(),
                request.forced(),
                now));

    if (!decision.switches()) {
      RealVolumeInfo at = primary;
      Issued issued = issueAtPrimary(volume, at, user, via, now);
      double km = via.position().kilometersTo(at.dataCenter().position());
      publishLogin(volume, user, via, at, decision, issued.grant().epoch(), null);
      em.flush();
      return result(volume, user, via, at, km, issued, decision, null, 0, Map.of(), null, null);
    }

    boolean forced = decision.outcome() == Outcome.FORCED_TAKEOVER;
    boolean acceptStale = acceptsStaleCopy(request, target);
    long switchStarted = System.nanoTime();
    CopyGroupDefinition.Switch done =
        definition.switchPrimary(
            new CopyGroupDefinition.Request(
                volume.copyGroup(),
                target.dataCenter().storageSystem(),
                downStorageSystems(volume),
                request.forced(),
                active.stream()
                    .filter(g -> g.dataCenter().equals(primary.dataCenter()))
                    .collect(Collectors.toMap(AccessGrant::exportName, AccessGrant::expiresAt)),
                acceptStale));
    // Reported to the user and to metrics: the time the primary was moving, drain included.
    Duration switchTook = Duration.ofNanos(System.nanoTime() - switchStarted);
    // The switch may have had to skip an unreachable old primary only because it was forced.
    if (!done.skipped().isEmpty()) {
      forced = true;
    }
    try {
      String previous = primary.dataCenter().name();
      int revoked = revokeGrantsElsewhere(active, target.dataCenter(), done.changed(), now);
      volume.switchPrimary(target, done.epoch(), now);
      String possibleLoss = forced ? possibleLoss(volume, previous, done) : null;
      em.persist(
          new PrimarySwitch(
              volume.name(),
              previous,
              target.dataCenter().name(),
              done.epoch(),
              user.name(),
              forced,
              String.join(",", done.skipped().keySet()),
              possibleLoss,
              now));
      Issued issued = issue(volume, target, user, via, done.epoch(), now);
      Decision reported =
          forced ? new Decision(Outcome.FORCED_TAKEOVER, decision.reason()) : decision;
      publishSwitch(
          volume, user, previous, target, done, forced, possibleLoss, revoked, switchTook);
      publishLogin(volume, user, via, target, reported, done.epoch(), previous);
      em.flush();
      undoIfNotCommitted(done, volume.name());
      return result(
          volume,
          user,
          via,
          target,
          nearest.kilometers(),
          issued,
          reported,
          previous,
          revoked,
          done.skipped(),
          possibleLoss,
          switchTook);
    } catch (RuntimeException e) {
      CopyGroupDefinition.Undo undo = done.undo();
      if (e instanceof DirectoryException d) {
        throw new DirectoryException(
            d.code(), d.getMessage() + "; the switch was undone: " + undo.describe(), d.details());
      }
      LOG.log(Level.WARNING, "login switch of " + volume.name() + " failed after storage", e);
      throw new DirectoryException(
          ErrorCode.SWITCH_FAILED,
          "the directory could not record the switch ("
              + e
              + "); the switch was undone: "
              + undo.describe());
    }
  }

  /** The ids and display names a login takes, for a refusal to list. */
  private String knownInterfaces() {
    return networkInterfaces.all().stream()
        .map(v -> v.name() + " (" + v.displayName() + ")")
        .collect(Collectors.joining(", "));
  }

  private Via networkInterface(LoginRequest request) {
    if (request.networkInterface() != null && !request.networkInterface().isBlank()) {
      return networkInterfaces
          .named(request.networkInterface())
          .orElseThrow(
              () ->
                  new DirectoryException(
                      ErrorCode.UNKNOWN_NETWORK_INTERFACE,
                      "no network interface named '"
                          + request.networkInterface()
                          + "'; known: "
                          + knownInterfaces(),
                      Map.of(
                          "field",
                          "networkInterface",
                          "accepted",
                          networkInterfaces.all().stream()
                              .map(Via::name)
                              .collect(Collectors.joining(", ")))));
    }
    if (request.clientAddress() == null) {
      throw new DirectoryException(
          ErrorCode.UNKNOWN_NETWORK_INTERFACE, "name the network interface you attach through");
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(literal(request.clientAddress()));
    } catch (UnknownHostException | IllegalArgumentException e) {
      throw new DirectoryException(
          ErrorCode.UNKNOWN_NETWORK_INTERFACE, "not an IP address: " + request.clientAddress());
    }
    return networkInterfaces
        .covering(address)
        .orElseThrow(
            () ->
                new DirectoryException(
                    ErrorCode.UNKNOWN_NETWORK_INTERFACE,
                    "no network interface covers "
                        + request.clientAddress()
                        + "; name the one you attach through"));
  }

  /**
   * Only literal addresses: resolving a name here would let a caller make the server look up DNS.
   */
  private static String literal(String address) {
    if (!address.matches("[0-9A-Fa-f:.]+")) {
      throw new IllegalArgumentException(address);
    }
    return address;
  }

  /**
   * The volume's row, locked for the rest of the transaction (10 s at most waiting for it): what a
   * login decides, and an online verify starts, is never decided by two at once.
   */
  public static VirtualVolume lockVolume(EntityManager em, String name) {
    try {
      return em
          .createNamedQuery(VirtualVolume.BY_NAME, VirtualVolume.class)
          .setParameter("name", name)
          .setLockMode(LockModeType.PESSIMISTIC_WRITE)
          .setHint("jakarta.persistence.lock.timeout", LOCK_TIMEOUT_MS)
          // A list, not getResultStream(): Hibernate streams through a scrollable result, whose
          // set-up showed in login profiles; the name is unique, so the list has one row at most.
          .getResultList()
          .stream()
          .findFirst()
          .orElseThrow(
              () ->
                  new DirectoryException(
                      ErrorCode.UNKNOWN_VOLUME, "no virtual volume named '" + name + "'"));
    } catch (PessimisticLockException | LockTimeoutException e) {
      throw busy(name);
    } catch (PersistenceException e) {
      // H2 reports its own lock timeout (SQLState HYT00, after its LOCK_TIMEOUT, not the hint's),
      // PostgreSQL its lock_timeout (55P03) or a deadlock (40P01), as a plain JDBC failure; it
      // means the same: another login holds the volume.
      if (isLockTimeout(e)) {
        throw busy(name);
      }
      throw e;
    }
  }

  private static DirectoryException busy(String name) {
    return new DirectoryException(
        ErrorCode.VOLUME_BUSY, "volume '" + name + "' is busy with another login; try again");
  }

  static boolean isLockTimeout(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLException sql
          && Set.of("HYT00", "40001", "55P03", "40P01").contains(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  private static Set<String> downStorageSystems(VirtualVolume volume) {
    return volume.realVolumes().stream()
        .map(RealVolumeInfo::dataCenter)
        .filter(d -> !d.isUp())
        .map(DataCenter::storageSystem)
        .collect(Collectors.toSet());
  }

  /**
   * Takeover: access through other sites ends. Their exports died with the old epoch anyway, and a
   * member the switch reached dropped them durably when it learned the new epoch; only sites it did
   * not reach (a forced takeover) are asked to revoke, in case they answer again.
   */
  private int revokeGrantsElsewhere(
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

  private record Issued(AccessGrant grant, String bearerToken, StorageStatus status) {}

  /**
   * A login that does not switch: access at the primary, bound to the epoch its storage enforces,
   * on one connection. Storage may be ahead of the directory (after an undo, see {@link
   * CopyGroupDefinition}); the export is tried at the directory's epoch first, which is right
   * nearly always, and only a refusal of that epoch costs asking storage for its own.
   */
  private Issued issueAtPrimary(
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
        if (CopyGroupDefinition.isUnreachable(e)) {
          throw e;
        }
        // Not this epoch, or not primary here: what storage holds decides (and explains).
        epoch = CopyGroupDefinition.epochAtPrimary(storage, volume.copyGroup());
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
  private Issued issue(
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

  /**
   * A forced takeover cannot drain the old primary: what it accepted that the new primary had not
   * applied may be lost. The new primary says how far it got in the old primary's stream.
   */
  /**
   * Whether the caller named the data center the login takes over at ({@code forceAt}): then a copy
   * less current than another surviving one is taken all the same, and recorded as such.
   */
  private static boolean acceptsStaleCopy(LoginRequest request, RealVolumeInfo target) {
    String at = request.forceAt();
    if (at == null || at.isBlank()) {
      return false;
    }
    if (!request.forced()) {
      throw new DirectoryException(
          ErrorCode.VALIDATION_FAILED, "forceAt is for a forced takeover: set force too");
    }
    if (!at.equalsIgnoreCase(target.dataCenter().name())) {
      throw new DirectoryException(
          ErrorCode.VALIDATION_FAILED,
          "forceAt "
              + at
              + " is not the data center this login takes over at ("
              + target.dataCenter().name()
              + ", the nearest to the network interface)");
    }
    return true;
  }

  private static String possibleLoss(
      VirtualVolume volume, String previous, CopyGroupDefinition.Switch done) {
    if (done.skipped().isEmpty()) {
      return "nothing: every member was reached";
    }
    String stale = done.moreCurrent().map(m -> "; taken as asked, although " + m).orElse("");
    String lost =
        volume.transferType() == TransferType.SYNC
            ? "nothing acknowledged while the new primary was in sync (SYNC); writes in flight at "
                + previous
                + " when it failed, and any it accepted while the new primary was out of sync,"
                + " may be lost"
            : "writes acknowledged at "
                + previous
                + " and not yet applied at the new primary (ASYNC) may be lost";
    String applied =
        done.appliedAtNewPrimary()
            .map(
                a ->
                    "write "
                        + a.sequence()
                        + " of the stream of epoch "
                        + a.fromEpoch()
                        + " ("
                        + a.durableSequence()
                        + " on disk)")
            .orElse("unknown (the new primary did not report it)");
    return lost + "; last write known applied at the new primary: " + applied + stale;
  }

  /** Storage was switched before the commit; if the commit fails, put storage back. */
  private void undoIfNotCommitted(CopyGroupDefinition.Switch done, String volumeName) {
    transactions.registerInterposedSynchronization(
        new AfterCompletion(
            status -> {
              if (status != Status.STATUS_COMMITTED) {
                CopyGroupDefinition.Undo undo = done.undo();
                LOG.warning(
                    "the directory did not commit the switch of "
                        + volumeName
                        + "; storage: "
                        + undo.describe());
              }
            }));
  }

  private void publishLogin(
      VirtualVolume volume,
      DirectoryUser user,
      Via via,
      RealVolumeInfo at,
      Decision decision,
      long epoch,
      String previous) {
    JsonObjectBuilder event =
        DirectoryEvents.event(EventType.LOGIN)
            .add("user", user.name())
            .add("volume", volume.name())
            .add("networkInterface", via.name())
            .add("dataCenter", at.dataCenter().name())
            .add("epoch", epoch)
            .add("outcome", decision.outcome().name())
            .add("reason", decision.reason().name());
    if (previous != null) {
      event.add("previousPrimary", previous);
    }
    events.publish(event.build());
  }

  private void publishSwitch(
      VirtualVolume volume,
      DirectoryUser user,
      String previous,
      RealVolumeInfo target,
      CopyGroupDefinition.Switch done,
      boolean forced,
      String possibleLoss,
      int revoked,
      Duration took) {
    JsonObjectBuilder event =
        DirectoryEvents.event(forced ? EventType.FORCED_TAKEOVER : EventType.PRIMARY_SWITCHED)
            .add("volume", volume.name())
            .add("user", user.name())
            .add("from", previous)
            .add("to", target.dataCenter().name())
            .add("epoch", done.epoch())
            .add("revokedGrants", revoked)
            .add("switchMillis", took.toNanos() / 1_000_000.0);
    if (forced) {
      JsonObjectBuilder skipped = JSON.createObjectBuilder();
      done.skipped().forEach(skipped::add);
      event.add("skippedMembers", skipped).add("possibleLoss", possibleLoss);
    }
    events.publish(event.build());
  }

  private static LoginResult result(
      VirtualVolume volume,
      DirectoryUser user,
      Via via,
      RealVolumeInfo at,
      double km,
      Issued issued,
      Decision decision,
      String previous,
      int revoked,
      Map<String, String> skipped,
      String possibleLoss,
      Duration switchTook) {
    DataCenter site = at.dataCenter();
    return new LoginResult(
        user.name(),
        volume.name(),
        via.name(),
        site.name(),
        site.displayName(),
        Math.round(km * 10) / 10.0,
        at.address().toString(),
        site.hostServerAddress(),
        site.storageSystem(),
        issued.grant().epoch(),
        volume.transferType().name(),
        volume.sizeBytes(),
        issued.status().nbdHost(),
        issued.status().nbdPort(),
        issued.status().nbdTls(),
        issued.grant().exportName(),
        issued.bearerToken(),
        issued.grant().expiresAt(),
        decision.outcome(),
        decision.reason(),
        previous,
        revoked,
        skipped,
        possibleLoss,
        switchTook);
  }
}
