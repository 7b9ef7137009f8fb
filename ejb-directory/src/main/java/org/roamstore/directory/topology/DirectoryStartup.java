package org.roamstore.directory.topology;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.ejb.Lock;
import jakarta.ejb.LockType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.Timer;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.model.Installation;
import org.roamstore.directory.model.NetworkInterface;
import org.roamstore.directory.provisioning.ProvisioningService;
import org.roamstore.directory.provisioning.VolumeSpec;

/**
 * Prepares the directory at start: gives a new directory its installation identity and loads the
 * topology file named by the system property {@code roamstore.topology} into what is still empty.
 *
 * <p>No transaction spans the start: the topology commits first, then each demo volume is made in
 * its own transaction, since making one reaches every site's storage and may fail on its own.
 *
 * <p>Several instances may start at once on one shared (PostgreSQL) directory: the whole start runs
 * under {@link DirectoryLock#STARTUP}, so the first instance makes the installation and loads the
 * topology and demo volumes, and the others, once it is done, find nothing left to do.
 */
@Startup
@Singleton
@Lock(LockType.READ)
public class DirectoryStartup {
  public static final String TOPOLOGY_PROPERTY = "roamstore.topology";
  private static final Logger LOG = Logger.getLogger(DirectoryStartup.class.getName());

  /** Another instance's start, demo volumes included, on a busy machine. */
  private static final Duration PATIENCE = Duration.ofMinutes(5);

  private static final Duration DEMO_RETRY = Duration.ofSeconds(10);
  private static final Duration DEMO_RETRY_FOR = Duration.ofMinutes(15);

  @Resource private TimerService timers;
  private final List<VolumeSpec> pendingDemoVolumes = new CopyOnWriteArrayList<>();
  private final AtomicBoolean retrying = new AtomicBoolean();
  private volatile Instant retryDemoVolumesUntil = Instant.MIN;

  @EJB private TopologyLoader loader;
  @EJB private ProvisioningService provisioning;

  @Resource(lookup = "jdbc/roamstore")
  private DataSource dataSource;

  @PostConstruct
  @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
  void prepare() {
    try (Connection connection = dataSource.getConnection();
        DirectoryLock lock = DirectoryLock.acquire(connection, DirectoryLock.STARTUP, PATIENCE)) {
      prepareLocked();
    } catch (SQLException e) {
      throw new IllegalStateException("the directory could not be prepared: " + e.getMessage(), e);
    }
  }

  private void prepareLocked() {
    String file = System.getProperty(TOPOLOGY_PROPERTY);
    if (file == null || file.isBlank()) {
      LOG.info("no " + TOPOLOGY_PROPERTY + " given; the directory starts as it is");
      loader.createInstallation();
      return;
    }
    Path path = Path.of(file);
    if (!Files.isReadable(path)) {
      throw new IllegalStateException(
          "topology file " + path.toAbsolutePath() + " is not readable");
    }
    Topology topology;
    try {
      topology = Topology.read(path);
    } catch (IOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    List<VolumeSpec> volumes = loader.load(topology, path.toString());
    for (VolumeSpec volume : volumes) {
      try {
        provisioning.create(volume);
        LOG.info("created demo volume " + volume.name() + " for " + volume.owner());
      } catch (RuntimeException e) {
        pendingDemoVolumes.add(volume);
        LOG.info(
            "demo volume "
                + volume.name()
                + " waits for its sites ("
                + e.getMessage()
                + "); retried every "
                + DEMO_RETRY.toSeconds()
                + " s");
      }
    }
    if (!pendingDemoVolumes.isEmpty()) {
      retryDemoVolumesUntil = Instant.now().plus(DEMO_RETRY_FOR);
      timers.createIntervalTimer(
          DEMO_RETRY.toMillis(), DEMO_RETRY.toMillis(), new TimerConfig("demo volumes", false));
    }
  }

  /**
   * Demo volumes need every one of their sites. With one server per site, the first server loads
   * the topology while the others are still starting, so what could not be made then is tried again
   * until it is made or {@link #DEMO_RETRY_FOR} has passed.
   */
  @Timeout
  @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
  void retryDemoVolumes(Timer timer) {
    if (!retrying.compareAndSet(false, true)) {
      return; // the previous round still runs
    }
    try {
      for (VolumeSpec volume : List.copyOf(pendingDemoVolumes)) {
        try {
          provisioning.create(volume);
          pendingDemoVolumes.remove(volume);
          LOG.info("created demo volume " + volume.name() + " for " + volume.owner());
        } catch (RuntimeException e) {
          LOG.log(Level.FINE, "demo volume " + volume.name() + " still waits", e);
        }
      }
      if (pendingDemoVolumes.isEmpty() || Instant.now().isAfter(retryDemoVolumesUntil)) {
        timer.cancel();
        if (!pendingDemoVolumes.isEmpty()) {
          LOG.warning(
              "demo volumes not created, their sites did not come up: " + pendingDemoVolumes);
        }
      }
    } finally {
      retrying.set(false);
    }
  }

  public Installation installation() {
    return loader.installation();
  }

  public List<DataCenter> dataCenters() {
    return loader.dataCenters();
  }

  public List<NetworkInterface> networkInterfaces() {
    return loader.networkInterfaces();
  }
}
