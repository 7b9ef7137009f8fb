package org.roamstore.storage.replication;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roamstore.storage.replication.RemoteCopySites.MIB;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.engine.StorageControlUnit;

/** Crashes in separate processes: a secondary's JVM, the broker. Nothing written may be lost. */
class RemoteCopyCrashTest {
  private static final long SIZE = 16L * MIB;
  private static final RemoteCopySettings SETTINGS =
      RemoteCopySettings.DEFAULTS.withDrainTimeout(Duration.ofSeconds(60));

  @TempDir Path root;

  @Test
  void aSecondaryKilledWithSigkillInTheMiddleOfAsyncWritesCatchesUpAfterItsRestart()
      throws Exception {
    try (RemoteCopySites sites = RemoteCopySites.withEmbeddedBroker(root, SETTINGS)) {
      sites.open("seattle");
      sites.open("sanfrancisco");
      CopyVolumeGroupInfo group =
          RemoteCopySites.group(
              "v5",
              TransferType.ASYNC,
              SyncFailurePolicy.MARK_OUT_OF_SYNC,
              "seattle",
              "seattle",
              "portland",
              "sanfrancisco");
      sites.create(group, SIZE);
      String[] portlandArgs = {
        "portland",
        root.resolve("portland").toString(),
        "-1",
        "32",
        "--volume",
        "v5:16M",
        "--group",
        "v5:ASYNC:1:seattle/v5*,portland/v5,sanfrancisco/v5",
        "--broker",
        RemoteCopySites.brokerUrl(sites.brokerPort)
      };
      Path log = root.resolve("portland.log");
      ChildProcess portland = ChildProcess.start(log, "READY", STANDALONE, portlandArgs);
      try {
        CountDownLatch killed = new CountDownLatch(1);
        CompletableFuture<Void> writes = writeInTwoHalves(sites.unit("seattle"), "v5", killed);

        Path applied = root.resolve("portland/replication/v5.applied");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(applied));
        assertFalse(writes.isDone(), "the writes are still going on when portland is killed");
        portland.kill();
        killed.countDown();
        portland = ChildProcess.start(log, "READY", STANDALONE, portlandArgs);

        writes.get(120, TimeUnit.SECONDS);
        try (StorageConnection seattle = sites.unit("seattle").connect()) {
          seattle.synchronizeCache(
              "v5", Set.of("portland", "sanfrancisco"), Duration.ofSeconds(60));
          seattle.flush("v5");
        }
        String primary = sites.checksum("seattle", "v5");
        assertEquals(primary, sites.checksum("portland", "v5"), "portland after its crash");
        assertEquals(primary, sites.checksum("sanfrancisco", "v5"));
      } finally {
        portland.close();
      }
    }
  }

  @Test
  void aBrokerKilledAndRestartedInTheMiddleOfTheStreamLosesNothing() throws Exception {
    int port = RemoteCopySites.freePort();
    Path brokerLog = root.resolve("broker.log");
    String[] brokerArgs = {
      "--data", root.resolve("broker").toString(), "--host", "127.0.0.1", "--port", "" + port
    };
    ChildProcess broker = ChildProcess.start(brokerLog, "listening", BROKER, brokerArgs);
    try (RemoteCopySites sites = RemoteCopySites.withBrokerAt(root, port, SETTINGS)) {
      String[] all = {"seattle", "portland", "sanfrancisco"};
      for (String s : all) {
        sites.open(s);
      }
      sites.create(
          RemoteCopySites.group(
              "v6", TransferType.ASYNC, SyncFailurePolicy.MARK_OUT_OF_SYNC, "seattle", all),
          SIZE);
      StorageControlUnit seattle = sites.unit("seattle");

      smallWrites(seattle, 21, 2000);
      broker.kill();
      assertFalse(broker.isAlive());
      smallWrites(seattle, 22, 2000); // into the primary's cache while there is no broker
      try (StorageConnection c = seattle.connect()) {
        for (CopyGroupStatus.SecondaryStatus s : c.copyGroupStatus("v6").secondaries()) {
          // Still streaming: what crosses the restart is the queued write data, not a resync.
          assertEquals(CopyGroupStatus.State.LAGGING, s.state(), s.toString());
        }
      }
      broker = ChildProcess.start(brokerLog, "listening", BROKER, brokerArgs);
      smallWrites(seattle, 23, 500);

      try (StorageConnection c = seattle.connect()) {
        // Named: a secondary that fell out of sync (backlog while the broker was away) counts too.
        c.synchronizeCache("v6", Set.of("portland", "sanfrancisco"), Duration.ofSeconds(60));
        c.flush("v6");
      }
      String primary = sites.checksum("seattle", "v6");
      assertEquals(
          primary, sites.checksum("portland", "v6"), () -> differences(sites, "portland", "v6"));
      assertEquals(
          primary,
          sites.checksum("sanfrancisco", "v6"),
          () -> differences(sites, "sanfrancisco", "v6"));
      assertTrue(broker.output().contains("listening"), broker.output());
    } finally {
      broker.close();
    }
  }

  @Test
  void aBrokerKilledUnderSyncWritesLosesNothingOfTheBatchesItHeldInMemory() throws Exception {
    // SYNC batches are not persistent: the restarted broker has none of them, so the primary must
    // send again what its secondaries had not reported durable (or resync it).
    int port = RemoteCopySites.freePort();
    Path brokerLog = root.resolve("broker.log");
    String[] brokerArgs = {
      "--data", root.resolve("broker").toString(), "--host", "127.0.0.1", "--port", "" + port
    };
    ChildProcess broker = ChildProcess.start(brokerLog, "listening", BROKER, brokerArgs);
    RemoteCopySettings settings = SETTINGS.withSyncTimeout(Duration.ofSeconds(2));
    try (RemoteCopySites sites = RemoteCopySites.withBrokerAt(root, port, settings)) {
      String[] all = {"seattle", "portland", "sanfrancisco"};
      for (String s : all) {
        sites.open(s);
      }
      sites.create(
          RemoteCopySites.group(
              "v7", TransferType.SYNC, SyncFailurePolicy.MARK_OUT_OF_SYNC, "seattle", all),
          SIZE);
      StorageControlUnit seattle = sites.unit("seattle");

      smallWrites(seattle, "v7", 31, 300);
      CompletableFuture<Void> writing =
          CompletableFuture.runAsync(() -> smallWrites(seattle, "v7", 32, 600));
      Thread.sleep(200); // batches in the broker, applied or not, not yet durable
      broker.kill();
      assertFalse(broker.isAlive());
      Thread.sleep(500);
      broker = ChildProcess.start(brokerLog, "listening", BROKER, brokerArgs);
      writing.get(120, TimeUnit.SECONDS);
      smallWrites(seattle, "v7", 33, 200);

      try (StorageConnection c = seattle.connect()) {
        c.synchronizeCache("v7", Set.of("portland", "sanfrancisco"), Duration.ofSeconds(60));
        c.flush("v7");
      }
      String primary = sites.checksum("seattle", "v7");
      for (String secondary : List.of("portland", "sanfrancisco")) {
        assertEquals(
            primary, sites.checksum(secondary, "v7"), () -> differences(sites, secondary, "v7"));
      }
    } finally {
      broker.close();
    }
  }

  private static void smallWrites(StorageControlUnit unit, long seed, int count) {
    smallWrites(unit, "v6", seed, count);
  }

  private static void smallWrites(StorageControlUnit unit, String volume, long seed, int count) {
    Random random = new Random(seed);
    try (StorageConnection c = unit.connect()) {
      for (int i = 0; i < count; i++) {
        RandomWrites.small(c, volume, SIZE, random);
      }
    }
  }

  private static String differences(RemoteCopySites sites, String site, String volume) {
    try {
      return sites.differences("seattle", site, volume);
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  private static final String STANDALONE = "org.roamstore.storage.engine.StandaloneStorage";
  private static final String BROKER = "org.roamstore.broker.BrokerMain";

  /**
   * Two writers, small writes; each stops halfway until {@code halfway} opens, so the crash falls
   * between the halves whatever the machine's speed.
   */
  private static CompletableFuture<Void> writeInTwoHalves(
      StorageControlUnit unit, String volume, CountDownLatch halfway) {
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      Random random = new Random(100 + w);
      writers.add(
          CompletableFuture.runAsync(
              () -> {
                try (StorageConnection c = unit.connect()) {
                  for (int i = 0; i < 4000; i++) {
                    if (i == 2000 && !halfway.await(60, TimeUnit.SECONDS)) {
                      throw new IllegalStateException("the crash never happened");
                    }
                    RandomWrites.small(c, volume, SIZE, random);
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  throw new IllegalStateException(e);
                }
              }));
    }
    return CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new));
  }
}
