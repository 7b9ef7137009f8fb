package org.roamstore.directory.verify;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.hibernate.LockOptions;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.directory.events.DirectoryEvents;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.login.LoginService;
import org.roamstore.directory.model.RealVolumeInfo;
import org.roamstore.directory.model.VirtualVolume;
import org.roamstore.directory.transaction.AfterCompletion;

/**
 * Online verify of a volume (admin only: the REST API, the request queue and the status page check
 * the role before they call). Starting one asks the primary's storage control unit, records the run
 * ({@link VerifyRun}) and announces {@code VERIFY_STARTED}; {@link VerifyWatch} then calls {@link
 * #follow} until storage reports every compared secondary done, and {@code VERIFY_FINISHED} is
 * announced with the result.
 */
@Stateless
public class VerifyService {
  /**
   * How long the primary's storage may stay silent about a running verify before the directory
   * stops following it and announces it interrupted (seconds).
   */
  public static final String UNANSWERED_PROPERTY = "roamstore.verify.unansweredSeconds";

  static final long DEFAULT_UNANSWERED_SECONDS = 600;
  private static final Logger LOG = Logger.getLogger(VerifyService.class.getName());

  @PersistenceContext(unitName = "directory")
  private EntityManager em;

  @Inject private StorageSites sites;
  @Inject private DirectoryEvents events;
  @EJB private VerifyWatch watch;
  @Resource private TransactionSynchronizationRegistry transactions;

  private OnlineVerify verify;

  @PostConstruct
  void init() {
    verify = new OnlineVerify(sites);
  }

  /**
   * Starts an online verify of the volume at its primary and returns at once. One verify per volume
   * at a time; the volume's row is locked meanwhile, so no login moves the primary under it.
   */
  public VerifyStart start(
      @NotNull String volumeName, @NotNull @Valid VerifyOptions options, @NotNull String by) {
    VirtualVolume volume = LoginService.lockVolume(em, volumeName);
    VerifyRun running =
        em
            .createNamedQuery(VerifyRun.FOR_VOLUME, VerifyRun.class)
            .setParameter("volume", volumeName)
            .getResultList()
            .stream()
            .findFirst()
            .orElse(null);
    if (running != null) {
      throw new DirectoryException(
          ErrorCode.VERIFY_RUNNING,
          "a verify of '"
              + volumeName
              + "' started at "
              + running.startedAt()
              + " by "
              + running.requestedBy()
              + " is still running",
          Map.of("volume", volumeName, "startedAt", running.startedAt().toString()));
    }
    OnlineVerify.Group group = group(volume);
    OnlineVerify.Started started = verify.start(group, options);
    Instant now = Instant.now();
    em.persist(new VerifyRun(group, by, options, started.followed(), now));
    VerifyStart start =
        new VerifyStart(
            volume.name(),
            group.primary(),
            group.epoch(),
            now,
            by,
            options.repairOrDefault(),
            options.rateOrDefault(),
            started.lags());
    events.publish(VerifyEvents.started(start));
    transactions.registerInterposedSynchronization(
        new AfterCompletion(
            status -> {
              if (status == Status.STATUS_COMMITTED) {
                watch.wake();
              }
            }));
    LOG.info(
        "verify of " + volumeName + " started at " + group.primary() + " by " + by + ": " + start);
    return start;
  }

  /** The runs not yet announced as finished, oldest first. */
  public List<Long> running() {
    return em
        .createNamedQuery(VerifyRun.ALL, VerifyRun.class)
        .setMaxResults(1000)
        .getResultList()
        .stream()
        .map(VerifyRun::id)
        .toList();
  }

  /**
   * Asks storage how the run stands; once it is over, announces {@code VERIFY_FINISHED} and forgets
   * the run, in one transaction. Returns whether it still runs. A run another instance follows at
   * this moment is skipped (its row is locked).
   */
  public boolean follow(long runId) {
    VerifyRun run =
        em
            .createNamedQuery(VerifyRun.BY_ID, VerifyRun.class)
            .setParameter("id", runId)
            .setLockMode(LockModeType.PESSIMISTIC_WRITE)
            .setHint("jakarta.persistence.lock.timeout", LockOptions.SKIP_LOCKED)
            .getResultList()
            .stream()
            .findFirst()
            .orElse(null);
    if (run == null) {
      return false; // finished already, or another instance holds it (it goes on following it)
    }
    Instant now = Instant.now();
    List<OnlineVerify.Followed> followed = run.followed();
    OnlineVerify.Progress progress =
        verify.follow(run.primaryStorageSystem(), run.volumeId(), followed);
    if (progress instanceof OnlineVerify.Running) {
      run.answered(now);
      return true;
    }
    OnlineVerify.Finished finished;
    if (progress instanceof OnlineVerify.Unanswered unanswered) {
      Duration silent = Duration.between(run.answeredAt(), now);
      if (silent.compareTo(unansweredLimit()) < 0) {
        return true;
      }
      finished =
          OnlineVerify.interrupted(
              followed,
              "storage at "
                  + run.primaryDataCenter()
                  + " did not answer for "
                  + silent.toSeconds()
                  + " s ("
                  + unanswered.why()
                  + "); the directory stopped following the verify");
    } else {
      finished = (OnlineVerify.Finished) progress;
    }
    events.publish(VerifyEvents.finished(run, finished));
    em.remove(run);
    LOG.info(
        "verify of "
            + run.volumeName()
            + " finished: "
            + finished.outcome()
            + " "
            + finished.results());
    return false;
  }

  static Duration unansweredLimit() {
    long seconds = Long.getLong(UNANSWERED_PROPERTY, DEFAULT_UNANSWERED_SECONDS);
    return Duration.ofSeconds(Math.max(1, seconds));
  }

  private static OnlineVerify.Group group(VirtualVolume volume) {
    RealVolumeInfo primary = volume.primary();
    Map<String, String> secondaries = new LinkedHashMap<>();
    for (RealVolumeInfo r : volume.realVolumes()) {
      if (!r.isPrimary()) {
        secondaries.put(r.dataCenter().name(), r.dataCenter().storageSystem());
      }
    }
    return new OnlineVerify.Group(
        volume.name(),
        volume.epoch(),
        primary.dataCenter().name(),
        primary.dataCenter().storageSystem(),
        primary.volumeId(),
        primary.dataCenter().isUp(),
        secondaries);
  }
}
