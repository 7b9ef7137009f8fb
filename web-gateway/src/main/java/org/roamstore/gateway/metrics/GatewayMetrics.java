package org.roamstore.gateway.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;
import org.roamstore.directory.access.AccessService;
import org.roamstore.directory.access.SystemStatus;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.directory.login.LoginPolicy.Outcome;
import org.roamstore.directory.login.LoginResult;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.topology.DirectoryStartup;
import org.roamstore.storage.api.StorageConnection;

/**
 * The gateway's metrics, registered by name rather than by annotations, so one place lists them:
 *
 * <ul>
 *   <li>{@code roamstore.block.operations{op}} and {@code roamstore.block.transferred{op}}: the
 *       REST block API's reads and writes (NBD traffic goes straight to the storage connector and
 *       is not counted here);
 *   <li>{@code roamstore.login{outcome}}: login latency at the gateway, end to end;
 *   <li>{@code roamstore.switch}: how long copy volume group definitions took;
 *   <li>{@code roamstore.cache.dirty{site}}: a storage control unit's write-back cache bytes not
 *       yet on disk (-1 while it does not answer);
 *   <li>{@code roamstore.replication.lag}: bytes behind over every copy group, from each primary's
 *       {@code copyGroupStatus} (see {@code org.roamstore.directory.access.ReplicationLag}; -1
 *       while storage reports none).
 * </ul>
 */
@ApplicationScoped
public class GatewayMetrics {
  private static final Logger LOG = Logger.getLogger(GatewayMetrics.class.getName());

  @Inject private MetricRegistry registry;
  @Inject private StorageSites sites;
  @Inject private DirectoryStartup directory;
  @Inject private AccessService access;

  private final Set<String> gauges = ConcurrentHashMap.newKeySet();

  /**
   * The login timers, looked up once per outcome: a lookup builds metadata and a tag (whose name is
   * checked against a regular expression) on every login.
   */
  private final Map<Outcome, Timer> loginTimers = new ConcurrentHashMap<>();

  private volatile Timer switchTimer;

  /** Registers the gauges at start, so a scrape sees them before any request. */
  void start(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
    try {
      directory.dataCenters().forEach(this::watchCache);
    } catch (RuntimeException e) {
      LOG.log(Level.INFO, "cache gauges are registered on first use instead: " + e);
    }
    registry.gauge(
        Metadata.builder()
            .withName("roamstore.replication.lag")
            .withDescription(
                "write data accepted at primaries and not yet applied at their secondaries, all"
                    + " copy groups together (-1: storage reports no lag)")
            .withUnit(MetricUnits.BYTES)
            .build(),
        this::lagBytes);
  }

  /** Asks every primary (as the status page does); scrapes are rare enough for that. */
  private long lagBytes() {
    try {
      SystemStatus status = access.status();
      long total = 0;
      boolean reported = false;
      for (SystemStatus.CopyGroup group : status.copyGroups()) {
        for (SystemStatus.Member member : group.members()) {
          if (member.lag() != null && member.lag().pendingBytes() != null) {
            total += member.lag().pendingBytes();
            reported = true;
          }
        }
      }
      return reported ? total : -1;
    } catch (RuntimeException e) {
      return -1;
    }
  }

  public void loggedIn(LoginResult result, Duration took) {
    loginTimers
        .computeIfAbsent(
            result.outcome(),
            outcome ->
                registry.timer(
                    Metadata.builder()
                        .withName("roamstore.login")
                        .withDescription("login latency at the gateway, authentication to answer")
                        .build(),
                    new Tag("outcome", outcome.name())))
        .update(took);
    if (result.switchTook() != null) {
      Timer timer = switchTimer;
      if (timer == null) {
        timer =
            registry.timer(
                Metadata.builder()
                    .withName("roamstore.switch")
                    .withDescription("copy volume group definition (primary switch) latency")
                    .build());
        switchTimer = timer;
      }
      timer.update(result.switchTook());
    }
  }

  public void read(long bytes) {
    io("read", bytes);
  }

  public void written(long bytes) {
    io("write", bytes);
  }

  private void io(String op, long bytes) {
    Tag tag = new Tag("op", op);
    registry
        .counter(
            Metadata.builder()
                .withName("roamstore.block.operations")
                .withDescription("REST block API requests served; IOPS is its rate")
                .build(),
            tag)
        .inc();
    registry
        .counter(
            Metadata.builder()
                .withName("roamstore.block.transferred")
                .withDescription("bytes moved by the REST block API")
                .withUnit(MetricUnits.BYTES)
                .build(),
            tag)
        .inc(bytes);
  }

  /** Registers the dirty-cache gauge of a data center's storage control unit, once. */
  public void watchCache(DataCenter site) {
    String system = site.storageSystem();
    if (!gauges.add(system)) {
      return;
    }
    registry.gauge(
        Metadata.builder()
            .withName("roamstore.cache.dirty")
            .withDescription(
                "write-back cache bytes not yet on disk at a storage control unit (-1: no answer)")
            .withUnit(MetricUnits.BYTES)
            .build(),
        () -> dirtyBytes(system),
        new Tag("site", site.name()));
  }

  private long dirtyBytes(String storageSystem) {
    try (StorageConnection storage = sites.connect(storageSystem)) {
      return storage.status().cacheDirtyBytes();
    } catch (RuntimeException e) {
      return -1;
    }
  }
}
