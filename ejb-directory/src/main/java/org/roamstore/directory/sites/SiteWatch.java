package org.roamstore.directory.sites;

import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.model.DownReason;

/**
 * Watches every data center's storage control unit: every {@value #PERIOD_SECONDS} s it pings each
 * one ({@code connect} then {@code status}, all at once, each given up after {@value
 * #TIMEOUT_PROPERTY} ms, 5000 by default: the storage connector's own control timeout; a site this
 * server has no connection factory for is not judged at all), marks a site down after {@value
 * #FAILURES_PROPERTY} failed pings in a row (2 by default) and up again at its first answer, by the
 * rules of {@link SiteLiveness}. So a dead site is skipped by logins and reported down by the API
 * without an operator: within 2-4 s of its death when pings fail at once (no connection factory,
 * refused), within about 12 s when they time out. A round that is still running when the next is
 * due lets that one pass.
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
  public static final String TIMEOUT_PROPERTY = "roamstore.sites.watch.timeoutMillis";
  public static final String FAILURES_PROPERTY = "roamstore.sites.watch.failures";
  static final int PERIOD_SECONDS = 2;

  private static final Logger LOG = Logger.getLogger(SiteWatch.class.getName());

  @PersistenceContext(unitName = "directory")
  private EntityManager em;

  @Inject private StorageSites storage;
  @EJB private SiteService sites;
  @Resource private ManagedExecutorService executor;

  private final SiteLiveness liveness = new SiteLiveness(Integer.getInteger(FAILURES_PROPERTY, 2));
  private final Duration pingTimeout = Duration.ofMillis(Long.getLong(TIMEOUT_PROPERTY, 5000));
  private final AtomicBoolean running = new AtomicBoolean();

  @Schedule(second = "*/" + PERIOD_SECONDS, minute = "*", hour = "*", persistent = false)
  @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
  void watch() {
    if ("false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY))
        || !running.compareAndSet(false, true)) {
      return; // turned off, or the last round still runs
    }
    try {
      List<SiteLiveness.Site> current =
          em.createNamedQuery(DataCenter.ALL, DataCenter.class).getResultList().stream()
              .map(
                  d ->
                      new SiteLiveness.Site(
                          d.name(), d.storageSystem(), d.isUp(), d.downReason().orElse(null)))
              .toList();
      Map<String, SiteLiveness.Ping> pings = pingAll(current);
      Map<String, String> failed = new HashMap<>();
      pings.forEach(
          (system, ping) -> {
            if (!ping.answered()) {
              failed.put(system, ping.error());
            }
          });
      List<SiteLiveness.Site> judged =
          current.stream()
              .filter(
                  site ->
                      !pings.containsKey(site.storageSystem())
                          || pings.get(site.storageSystem()).configuredHere())
              .toList();
      for (SiteLiveness.Change change : liveness.observe(judged, failed)) {
        apply(change);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "site watch round failed: " + e.getMessage(), e);
    } finally {
      running.set(false);
    }
  }

  /**
   * Pings the watched sites at once. A ping is never interrupted (an interrupt inside the broker
   * client would break the connection other callers share); one that has not ended a second after
   * the timeout counts as failed and is left to end on its own.
   */
  private Map<String, SiteLiveness.Ping> pingAll(List<SiteLiveness.Site> current) {
    Map<String, Future<SiteLiveness.Ping>> pings = new LinkedHashMap<>();
    for (SiteLiveness.Site site : current) {
      if (site.watched()) {
        pings.put(
            site.storageSystem(),
            executor.submit(() -> SiteLiveness.ping(storage, site.storageSystem())));
      }
    }
    long deadline = System.nanoTime() + pingTimeout.plusSeconds(1).toNanos();
    Map<String, SiteLiveness.Ping> results = new HashMap<>();
    pings.forEach(
        (system, ping) -> {
          SiteLiveness.Ping result;
          try {
            result = ping.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          } catch (TimeoutException e) {
            result =
                new SiteLiveness.Ping("no answer within " + pingTimeout.toMillis() + " ms", true);
          } catch (ExecutionException e) {
            result = new SiteLiveness.Ping(String.valueOf(e.getCause()), true);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = new SiteLiveness.Ping("interrupted", true);
          }
          results.put(system, result);
        });
    return results;
  }

  private void apply(SiteLiveness.Change change) {
    try {
      if (change.up()) {
        DataCenter site = sites.markUpIfUnreachable(change.site());
        if (site.isUp()) {
          LOG.info("data center " + change.site() + " is up again: " + change.why());
        }
      } else {
        sites.markDown(change.site(), DownReason.UNREACHABLE);
        LOG.warning("data center " + change.site() + " marked down: " + change.why());
      }
    } catch (RuntimeException e) {
      // markUp refuses while the site's copy groups cannot be updated, and another instance's watch
      // may have changed the site in the same moment (optimistic lock); the next round looks again.
      Throwable cause = e;
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      LOG.info("data center " + change.site() + " not changed this round: " + cause);
    }
  }
}
