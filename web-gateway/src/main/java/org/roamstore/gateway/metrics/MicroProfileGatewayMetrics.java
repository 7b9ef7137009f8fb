package org.roamstore.gateway.metrics;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricID;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.directory.lag.LagHistory;
import org.roamstore.directory.lag.LagSample;
import org.roamstore.directory.lag.SeriesKey;
import org.roamstore.directory.login.LoginPolicy.Outcome;
import org.roamstore.directory.login.LoginResult;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.topology.DirectoryStartup;
import org.roamstore.storage.api.StorageConnection;

/**
 * The gateway's metrics in MicroProfile Metrics, registered by name rather than by annotations, so
 * one place lists them:
 *
 * <ul>
 *   <li>{@code roamstore.block.operations{op}} and {@code roamstore.block.transferred{op}}: the
 *       REST block API's reads and writes (NBD traffic goes straight to the storage connector and
 *       is not counted here);
 *   <li>{@code roamstore.login{outcome}}: login latency at the gateway, end to end;
 *   <li>{@code roamstore.switch}: how long copy volume group definitions took;
 *   <li>{@code roamstore.cache.dirty{site}}: a storage control unit's write-back cache bytes not
 *       yet on disk (-1 while it does not answer);
 *   <li>{@code roamstore.replication.lag{volume,secondary}} (bytes) and {@code
 *       roamstore.replication.catchup{volume,secondary}} (estimated seconds to catch up): each
 *       secondary's latest lag sample ({@link LagHistory}, every 5 s; -1 while storage reports
 *       none). A series is registered when the copy becomes a secondary and removed when it stops
 *       being one, so the metrics follow the directory.
 * </ul>
 *
 * An enabled alternative: where the server has MicroProfile Metrics (Payara), it takes the place of
 * {@link NoGatewayMetrics}. Where it has not (GlassFish 7), this class cannot load and CDI leaves
 * it out (Weld logs that it found no bean in it), so the gateway still starts, without metrics.
 */
@ApplicationScoped
@Alternative
@Priority(1)
public class MicroProfileGatewayMetrics implements GatewayMetrics {
  private static final Logger LOG = Logger.getLogger(MicroProfileGatewayMetrics.class.getName());

  @Inject private MetricRegistry registry;
  @Inject private StorageSites sites;
  @Inject private DirectoryStartup directory;
  @Inject private LagHistory lagHistory;

  private static final Metadata LAG_BYTES =
      Metadata.builder()
          .withName("roamstore.replication.lag")
          .withDescription(
              "write data accepted at the primary and not yet applied at this secondary (-1:"
                  + " storage reports no lag)")
          .withUnit(MetricUnits.BYTES)
          .build();

  private static final Metadata LAG_SECONDS =
      Metadata.builder()
          .withName("roamstore.replication.catchup")
          .withDescription(
              "estimated time for this secondary to catch up at the recent rate (-1: unknown)")
          .withUnit(MetricUnits.SECONDS)
          .build();

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
  }

  /**
   * Follows the lag series as they begin and end; the gauges read the latest sample, so a scrape
   * asks no storage unit.
   */
  void followLag(@Observes LagHistory.Changes changes) {
    for (SeriesKey key : changes.began()) {
      Tag[] tags = lagTags(key);
      registry.gauge(LAG_BYTES, () -> latestLag(key, LagSample::pendingBytes), tags);
      registry.gauge(LAG_SECONDS, () -> latestLag(key, LagSample::seconds), tags);
    }
    for (SeriesKey key : changes.ended()) {
      Tag[] tags = lagTags(key);
      registry.remove(new MetricID(LAG_BYTES.getName(), tags));
      registry.remove(new MetricID(LAG_SECONDS.getName(), tags));
    }
  }

  private double latestLag(SeriesKey key, Function<LagSample, Number> figure) {
    Number n = lagHistory.latest(key).map(figure).orElse(null);
    return n == null ? -1 : n.doubleValue();
  }

  private static Tag[] lagTags(SeriesKey key) {
    return new Tag[] {new Tag("volume", key.volume()), new Tag("secondary", key.secondary())};
  }

  @Override
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

  @Override
  public void read(long bytes) {
    io("read", bytes);
  }

  @Override
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
