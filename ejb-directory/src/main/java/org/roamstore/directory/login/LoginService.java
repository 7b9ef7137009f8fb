package org.roamstore.directory.login;

import jakarta.annotation.Resource;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
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
import org.roamstore.directory.placement.PlacementTrigger;
import org.roamstore.directory.provisioning.InitialCopies;
import org.roamstore.directory.security.UserDirectory;
import org.roamstore.directory.switching.CompletedSwitch;
import org.roamstore.directory.switching.SwitchRequest;
import org.roamstore.directory.switching.SwitchService;
import org.roamstore.directory.switching.UndoOutcome;
import org.roamstore.directory.transaction.AfterCompletion;

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

  /** How long a login waits for another login or change holding the same volume. */
  static final int LOCK_TIMEOUT_MS = 10_000;

  @PersistenceContext(unitName = "directory")
  private EntityManager em;

  @Inject private UserDirectory users;
  @Inject private LoginEvents events;
  @Inject private SwitchService switches;
  @Inject private NetworkInterfaces networkInterfaces;
  @Inject private AccessGrants grants;
  @Inject private InitialCopies initialCopies;
  @Inject private PlacementTrigger placement;

  @Resource private TransactionSynchronizationRegistry transactions;
  @Resource private SessionContext session;

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

  /** One login on its way: who, through which interface, to which volume (locked), when. */
  private record Attempt(
      DirectoryUser user, LoginRequest request, Via via, VirtualVolume volume, Instant now) {}

  /** Route (interface, nearest copy), decide (stay or switch), switch if so, grant access. */
  private LoginResult login(DirectoryUser user, LoginRequest request) {
    Via via =
        networkInterfaces.attachedThrough(request.networkInterface(), request.clientAddress());
    VirtualVolume volume = lockVolume(em, request.volume());
    if (!volume.isOwnedBy(user.name())) {
      throw new DirectoryException(
          ErrorCode.NOT_YOUR_VOLUME, "volume '" + volume.name() + "' belongs to another user");
    }
    Attempt attempt = new Attempt(user, request, via, volume, Instant.now());
    // A copy added in use may have become complete since: then it is a candidate like the others.
    initialCopies.catchUp(volume);
    NearestSite.Choice nearest = nearestCopy(volume, via);
    RealVolumeInfo primary = volume.primary();
    RealVolumeInfo target = volume.realVolumeAt(nearest.site().name()).orElseThrow();
    // At the primary nothing is taken over, so the grants elsewhere do not matter.
    List<AccessGrant> active =
        target == primary
            ? List.of()
            : grants.activeElsewhere(volume, target.dataCenter(), attempt.now());
    Decision decision =
        LoginPolicy.decide(
            new LoginPolicy.Facts(
                target.dataCenter().name(),
                primary.dataCenter().name(),
                primary.dataCenter().isUp(),
                volume.lastSwitchAt(),
                volume.minimumStay(),
                volume.takeoverPolicy(),
                active.size(),
                request.forced(),
                attempt.now()));
    LoginResult result =
        decision.switches()
            ? switchTo(attempt, target, nearest.kilometers(), active, decision)
            : stayAtPrimary(attempt, decision);
    // After the login commits, the volume's placement policy (if any) hears where it came from.
    placement.afterLogin(volume, via.name(), via.position(), attempt.now());
    return result;
  }

  /**
   * The nearest data center holding a complete copy of the volume and up; refused if none is. A
   * copy still copying is left out (see {@link NearestSite}).
   */
  private static NearestSite.Choice nearestCopy(VirtualVolume volume, Via via) {
    List<NearestSite.Site> candidates =
        volume.realVolumes().stream()
            .map(
                r ->
                    new NearestSite.Site(
                        r.dataCenter().name(),
                        r.dataCenter().position(),
                        r.dataCenter().isUp(),
                        r.isCopying()))
            .toList();
    return NearestSite.choose(via.position(), candidates)
        .orElseThrow(
            () ->
                new DirectoryException(
                    ErrorCode.NO_SITE_AVAILABLE,
                    "every data center holding a complete copy of volume '"
                        + volume.name()
                        + "' is down: "
                        + candidates.stream()
                            .map(NearestSite.Site::name)
                            .collect(Collectors.joining(", "))));
  }

  /** No switch: access at the primary where it is. */
  private LoginResult stayAtPrimary(Attempt a, Decision decision) {
    RealVolumeInfo at = a.volume().primary();
    AccessGrants.Issued issued = grants.issueAtPrimary(a.volume(), at, a.user(), a.via(), a.now());
    double km = a.via().position().kilometersTo(at.dataCenter().position());
    events.login(a.volume(), a.user(), a.via(), at, decision, issued.grant().epoch(), null);
    em.flush();
    return result(
        a.volume(), a.user(), a.via(), at, km, issued, decision, null, 0, Map.of(), null, null);
  }

  /**
   * The primary moves to {@code target} (the switch service drains, fences and defines at storage),
   * then the directory records it and grants access there; if recording fails, storage is put back.
   */
  private LoginResult switchTo(
      Attempt a, RealVolumeInfo target, double km, List<AccessGrant> active, Decision decision) {
    VirtualVolume volume = a.volume();
    RealVolumeInfo primary = volume.primary();
    boolean forced = decision.outcome() == Outcome.FORCED_TAKEOVER;
    boolean acceptStale = ForcedTakeover.acceptsStaleCopy(a.request(), target);
    long switchStarted = System.nanoTime();
    CompletedSwitch done =
        switches.switchPrimary(
            new SwitchRequest(
                volume.copyGroup(),
                target.dataCenter().storageSystem(),
                downStorageSystems(volume),
                a.request().forced(),
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
      Instant now = a.now();
      String previous = primary.dataCenter().name();
      int revoked = grants.revokeElsewhere(active, target.dataCenter(), done.changed(), now);
      volume.switchPrimary(target, done.epoch(), now);
      String possibleLoss = forced ? ForcedTakeover.possibleLoss(volume, previous, done) : null;
      em.persist(
          new PrimarySwitch(
              volume.name(),
              previous,
              target.dataCenter().name(),
              done.epoch(),
              a.user().name(),
              forced,
              String.join(",", done.skipped().keySet()),
              possibleLoss,
              now));
      AccessGrants.Issued issued =
          grants.issue(volume, target, a.user(), a.via(), done.epoch(), now);
      Decision reported =
          forced ? new Decision(Outcome.FORCED_TAKEOVER, decision.reason()) : decision;
      events.switched(
          volume, a.user(), previous, target, done, forced, possibleLoss, revoked, switchTook);
      events.login(volume, a.user(), a.via(), target, reported, done.epoch(), previous);
      em.flush();
      undoIfNotCommitted(done, volume.name());
      return result(
          volume,
          a.user(),
          a.via(),
          target,
          km,
          issued,
          reported,
          previous,
          revoked,
          done.skipped(),
          possibleLoss,
          switchTook);
    } catch (RuntimeException e) {
      UndoOutcome undo = done.undo();
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

  /** Storage was switched before the commit; if the commit fails, put storage back. */
  private void undoIfNotCommitted(CompletedSwitch done, String volumeName) {
    transactions.registerInterposedSynchronization(
        new AfterCompletion(
            status -> {
              if (status != Status.STATUS_COMMITTED) {
                UndoOutcome undo = done.undo();
                LOG.warning(
                    "the directory did not commit the switch of "
                        + volumeName
                        + "; storage: "
                        + undo.describe());
              }
            }));
  }

  private static LoginResult result(
      VirtualVolume volume,
      DirectoryUser user,
      Via via,
      RealVolumeInfo at,
      double km,
      AccessGrants.Issued issued,
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
