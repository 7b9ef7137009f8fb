package org.roamstore.directory.sites;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.directory.model.DataCenter;

/**
 * Watches every data center's storage control unit. Every period ({@value #PERIOD_PROPERTY}, 1000
 * ms by default) it sends each watched site a ping ({@code connect} then {@code status}) without
 * waiting for the ones still out; a ping not answered within the timeout ({@value
 * #TIMEOUT_PROPERTY}, 5000 ms by default: the storage connector's own control timeout) fails then
 * and there; a site this server has no connection factory for is not judged at all. A site is
 * marked down when {@value #FAILURES_PROPERTY} pings in a row (3 by default) have failed, and up
 * again at its first answer, by the rules of {@link SiteLiveness}.
 *
 * <p>So a dead site is marked down at most {@code failures x period + timeout} after its death
 * (plus the directory's write): 3 x 1 s + 5 s = 8 s by default (the third ping sent after the death
 * goes out at most 3 periods after it, and fails at its timeout), sooner when pings fail at once (a
 * connection refused). A site that is slow but alive is never marked down while it answers each
 * ping within the timeout: it must stay silent for more than {@code timeout + (failures - 1) x
 * period}, 7 s by default.
 *
 * <p>Several instances on one directory each run a watch; marking a site that is already down (or
 * up) changes nothing, so they agree. The system property {@value #ENABLED_PROPERTY}{@code =false}
 * turns the watch off.
 */
@Startup
@Singleton
@DependsOn("DirectoryStartup")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class SiteWatch {
  public static final String ENABLED_PROPERTY = "roamstore.sites.watch";
  public static final String PERIOD_PROPERTY = "roamstore.sites.watch.periodMillis";
  public static final String TIMEOUT_PROPERTY = "roamstore.sites.watch.timeoutMillis";
  public static final String FAILURES_PROPERTY = "roamstore.sites.watch.failures";
  static final long DEFAULT_PERIOD_MILLIS = 1000;
  static final long DEFAULT_TIMEOUT_MILLIS = 5000;
  static final int DEFAULT_FAILURES = 3;

  private static final Logger LOG = Logger.getLogger(SiteWatch.class.getName());

  @PersistenceContext(unitName = "directory")
  private EntityManager em;

  @Inject private StorageSites storage;
  @EJB private SiteService sites;
  @Resource private ManagedExecutorService executor;
  @Resource private ManagedScheduledExecutorService scheduler;
  @Resource private TimerService timers;

  private final Duration period =
      Duration.ofMillis(
          positive(PERIOD_PROPERTY, Long.getLong(PERIOD_PROPERTY, DEFAULT_PERIOD_MILLIS)));
  private final Duration pingTimeout =
      Duration.ofMillis(
          positive(TIMEOUT_PROPERTY, Long.getLong(TIMEOUT_PROPERTY, DEFAULT_TIMEOUT_MILLIS)));
  private final SiteLiveness liveness =
      new SiteLiveness(
          (int)
              positive(FAILURES_PROPERTY, Integer.getInteger(FAILURES_PROPERTY, DEFAULT_FAILURES)));
  // A ping blocked past its timeout (e.g. waiting for a pooled connection) keeps its thread; this
  // many per site at most, so that a stuck site cannot take every thread of the executor.
  private final int maxRunningPerSite =
      (int) Math.min(64, pingTimeout.toMillis() / period.toMillis() + 3);

  private final AtomicBoolean ticking = new AtomicBoolean();
  private final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
  private final Map<PingId, Future<?>> outstanding = new ConcurrentHashMap<>();
  private final Set<String> applying = ConcurrentHashMap.newKeySet();
  private volatile boolean stopped;

  /** One ping of one site, reported once: by its own end or by its deadline, whichever is first. */
  private record PingId(String site, long number) {}

  private static long positive(String property, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(property + " must be at least 1, got " + value);
    }
    return value;
  }

  @PostConstruct
  void start() {
    timers.createIntervalTimer(
        period.toMillis(), period.toMillis(), new TimerConfig("site watch", false));
    LOG.info(
        "site watch: a ping every "
            + period.toMillis()
            + " ms, "
            + pingTimeout.toMillis()
            + " ms timeout, down after "
            + liveness.failuresToMarkDown()
            + " failures in a row: a dead site is marked down within "
            + markDownBound().toMillis()
            + " ms");
  }

  /** The most time from a site's death to its being marked down: failures x period + timeout. */
  Duration markDownBound() {
    return period.multipliedBy(liveness.failuresToMarkDown()).plus(pingTimeout);
  }

  @PreDestroy
  void stop() {
    stopped = true;
    outstanding.values().forEach(deadline -> deadline.cancel(false));
  }

  @Timeout
  @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
  void tick() {
    if (stopped
        || "false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY))
        || !ticking.compareAndSet(false, true)) {
      return; // stopping, turned off, or the last tick still reads the directory
    }
    try {
      List<SiteLiveness.Site> current =
          em.createNamedQuery(DataCenter.ALL, DataCenter.class).getResultList().stream()
              .map(
                  d ->
                      new SiteLiveness.Site(
                          d.name(), d.storageSystem(), d.isUp(), d.downReason().orElse(null)))
              .toList();
      for (SiteLiveness.Site site : liveness.refresh(current)) {
        send(site);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "site watch tick failed: " + e.getMessage(), e);
    } finally {
      ticking.set(false);
    }
  }

  /**
   * Sends one ping to the site. The ping is never interrupted (an interrupt inside the broker
   * client would break the connection other callers share); its deadline reports it failed and its
   * own late end is then ignored.
   */
  private void send(SiteLiveness.Site site) {
    AtomicInteger threads = running.computeIfAbsent(site.name(), n -> new AtomicInteger());
    if (threads.get() >= maxRunningPerSite) {
      return; // its pings are stuck beyond their timeouts, which report them failed
    }
    PingId id = new PingId(site.name(), liveness.sent(site.name()));
    threads.incrementAndGet();
    try {
      outstanding.put(
          id,
          scheduler.schedule(
              () ->
                  report(
                      id,
                      new SiteLiveness.Ping(
                          "no answer within " + pingTimeout.toMillis() + " ms", true)),
              pingTimeout.toMillis(),
              TimeUnit.MILLISECONDS));
      executor.execute(
          () -> {
            try {
              report(id, SiteLiveness.ping(storage, site.storageSystem()));
            } finally {
              threads.decrementAndGet();
            }
          });
    } catch (RejectedExecutionException e) {
      threads.decrementAndGet();
      report(id, new SiteLiveness.Ping("not sent: " + e.getMessage(), true));
    }
  }

  private void report(PingId id, SiteLiveness.Ping ping) {
    Future<?> deadline = outstanding.remove(id);
    if (deadline == null || stopped) {
      return; // reported already (answered, or its deadline passed first)
    }
    deadline.cancel(false);
    if (!ping.configuredHere()) {
      liveness.forget(id.site(), id.number());
      return;
    }
    (ping.answered()
            ? liveness.answered(id.site(), id.number())
            : liveness.failed(id.site(), id.number(), ping.error()))
        .ifPresent(this::applyLater);
  }

  /**
   * Off the reporting thread: a deadline's thread is the scheduler's, which every deadline needs.
   */
  private void applyLater(SiteLiveness.Change change) {
    try {
      executor.execute(() -> apply(change));
    } catch (RejectedExecutionException e) {
      apply(change);
    }
  }

  private void apply(SiteLiveness.Change change) {
    if (!applying.add(change.site())) {
      return; // the last change of this site is still being made; the next ping looks again
    }
    try {
      // Another instance, or this one a moment ago (the directory is read again every period,
      // perhaps before the last change was committed), may have made the change already.
      if (change.up()) {
        if (sites.markUpIfUnreachable(change.site())) {
          LOG.info("data center " + change.site() + " is up again: " + change.why());
        }
      } else if (sites.markUnreachable(change.site())) {
        LOG.warning("data center " + change.site() + " marked down: " + change.why());
      }
    } catch (RuntimeException e) {
      // markUp refuses while the site's copy groups cannot be updated, and another instance's watch
      // may have changed the site in the same moment (optimistic lock); the next ping looks again.
      Throwable cause = e;
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      LOG.info("data center " + change.site() + " not changed this time: " + cause);
    } finally {
      applying.remove(change.site());
    }
  }
}
