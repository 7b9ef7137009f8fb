package org.roamstore.storage.replication;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roamstore.storage.replication.RemoteCopySites.MIB;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.activity.ActivityLogSettings;
import org.roamstore.storage.api.CopyGroupStatus.State;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.engine.StorageControlUnit;
import org.roamstore.storage.engine.StorageControlUnitConfig;

/**
 * The {@code roamstore:replication} metadata context through a real client, {@code nbdinfo
 * --map=roamstore:replication}, at a primary with one secondary that stops and comes back: what is
 * written while it is away is flagged (the activity log keeps it hot, or the secondary is out of
 * sync), and unflagged once it has caught up and the log has cooled, or its resync has ended.
 */
class NbdReplicationContextTest {
  private static final String NBDINFO = "/usr/bin/nbdinfo";
  private static final long SIZE = 16L * MIB;
  @TempDir Path root;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private RemoteCopySites sites;
  private StorageControlUnit seattle;

  @BeforeEach
  void start() throws Exception {
    assertTrue(
        Files.isExecutable(Path.of(NBDINFO)), "nbdinfo is missing: install the Debian libnbd-bin");
    sites = RemoteCopySites.withEmbeddedBroker(root, RemoteCopySites.FAST);
  }

  @AfterEach
  void stop() throws Exception {
    if (seattle != null) {
      seattle.close();
    }
    sites.close();
    executor.shutdownNow();
  }

  /**
   * The primary, serving NBD on a free port, and the secondary; regions of 1 MiB cooled every 200
   * ms, the settings being read as the units open.
   */
  private void openSites(TransferType type) {
    String region = System.getProperty(ActivityLogSettings.REGION_MIB_PROPERTY);
    String cool = System.getProperty(ActivityLogSettings.COOL_MILLIS_PROPERTY);
    System.setProperty(ActivityLogSettings.REGION_MIB_PROPERTY, "1");
    System.setProperty(ActivityLogSettings.COOL_MILLIS_PROPERTY, "200");
    try {
      seattle =
          StorageControlUnit.open(
              new StorageControlUnitConfig("seattle", root.resolve("seattle"), 64L * MIB, null, 0),
              executor,
              new RemoteCopy(sites.connectionFactory(), sites.settings));
      sites.open("portland");
    } finally {
      restore(ActivityLogSettings.REGION_MIB_PROPERTY, region);
      restore(ActivityLogSettings.COOL_MILLIS_PROPERTY, cool);
    }
    CopyVolumeGroupInfo group =
        RemoteCopySites.group(
            "v1", type, SyncFailurePolicy.MARK_OUT_OF_SYNC, "seattle", "seattle", "portland");
    try (StorageConnection c = seattle.connect()) {
      c.createVolume("v1", SIZE);
      c.defineCopyGroup(group);
      c.registerExport("token", "v1", 1);
    }
    sites.create(group, SIZE);
  }

  private static void restore(String property, String value) {
    if (value == null) {
      System.clearProperty(property);
    } else {
      System.setProperty(property, value);
    }
  }

  @Test
  void whatALaggingSecondaryMissesIsFlaggedUntilItHasItAndTheLogHasCooled() throws Exception {
    openSites(TransferType.ASYNC);
    assertEquals(List.of(extent(0, SIZE, 0)), map(), "nothing written, nothing pending");
    assertTrue(run(NBDINFO, uri()).contains("roamstore:replication"), "nbdinfo lists the context");

    sites.close("portland"); // its batches wait in the broker
    try (StorageConnection c = seattle.connect()) {
      c.write("v1", 1, 5L * MIB + 100, new byte[4096], false);
    }
    assertEquals(
        List.of(extent(0, 5 * MIB, 0), extent(5 * MIB, MIB, 1), extent(6 * MIB, 10 * MIB, 0)),
        map(),
        "the written region is flagged, nothing else");

    sites.open("portland");
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertEquals(List.of(extent(0, SIZE, 0)), map()));
  }

  @Test
  void anOutOfSyncSecondaryKeepsItsRegionsFlaggedUntilItsResyncEnds() throws Exception {
    openSites(TransferType.SYNC);
    sites.close("portland");
    try (StorageConnection c = seattle.connect()) {
      c.write("v1", 1, 9L * MIB, new byte[] {1, 2, 3}, false); // waits out the timeout
      assertEquals(
          State.OUT_OF_SYNC,
          RemoteCopySites.secondary(c.copyGroupStatus("v1"), "portland").state());
      List<List<Long>> whileAway = map();
      assertTrue(flagged(whileAway, 9L * MIB), "the written region is flagged: " + whileAway);

      sites.open("portland");
      await()
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(() -> assertEquals(List.of(extent(0, SIZE, 0)), map()));
      State after = RemoteCopySites.secondary(c.copyGroupStatus("v1"), "portland").state();
      assertTrue(
          after == State.IN_SYNC || after == State.LAGGING,
          "unflagged only once the resync has ended: " + after);
    }
  }

  private String uri() {
    return "nbd://127.0.0.1:" + seattle.nbdPort() + "/token";
  }

  /** {@code nbdinfo --map=roamstore:replication}: offset, length and flags of each extent. */
  private List<List<Long>> map() throws Exception {
    List<List<Long>> map = new ArrayList<>();
    for (String line : run(NBDINFO, "--map=roamstore:replication", uri()).strip().split("\n")) {
      String[] f = line.strip().split("\\s+");
      map.add(List.of(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
    }
    return map;
  }

  private static List<Long> extent(long offset, long length, long flags) {
    return List.of(offset, length, flags);
  }

  private static boolean flagged(List<List<Long>> map, long offset) {
    for (List<Long> e : map) {
      if (e.get(0) <= offset && offset < e.get(0) + e.get(1)) {
        return e.get(2) == 1;
      }
    }
    return false;
  }

  private String run(String... command) throws Exception {
    return RemoteCopySites.run(root, command);
  }
}
