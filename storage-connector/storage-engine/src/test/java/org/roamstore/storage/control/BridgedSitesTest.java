package org.roamstore.storage.control;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.roamstore.storage.control.ControlPathTest.freePort;
import static org.roamstore.storage.control.ControlPathTest.group;

import jakarta.jms.ConnectionFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.broker.SiteBroker;
import org.roamstore.storage.api.CacheSynchronization;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.VerifyRequest;
import org.roamstore.storage.api.VerifyStatus;
import org.roamstore.storage.engine.StorageControlUnit;
import org.roamstore.storage.engine.StorageControlUnitConfig;
import org.roamstore.storage.replication.RemoteCopy;
import org.roamstore.storage.replication.RemoteCopySettings;

/**
 * Two sites, each with its own broker, joined only by the brokers' bridges: control requests, their
 * replies, write data and acknowledgements all find their way across, as between machines.
 */
class BridgedSitesTest {
  private static final int MIB = 1 << 20;

  static {
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.activemq.audit", "off");
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
  }

  @TempDir Path root;

  @Test
  void aServerAtOneSiteRunsACopyGroupAcrossBothBrokers() throws Exception {
    int seattlePort = freePort();
    int portlandPort = freePort();
    ExecutorService executor = Executors.newCachedThreadPool();
    try (SiteBroker seattleBroker =
            SiteBroker.start(
                root.resolve("broker-seattle"),
                "127.0.0.1",
                seattlePort,
                "seattle",
                Map.of("portland", "127.0.0.1:" + portlandPort));
        SiteBroker portlandBroker =
            SiteBroker.start(
                root.resolve("broker-portland"),
                "127.0.0.1",
                portlandPort,
                "portland",
                Map.of("seattle", "127.0.0.1:" + seattlePort))) {
      StorageControlUnit seattle = open("seattle", seattlePort, executor);
      StorageControlUnit portland = open("portland", portlandPort, executor);
      ControlServer seattleServer =
          ControlServer.start(factory(seattlePort), seattle.connect(), executor);
      ControlServer portlandServer =
          ControlServer.start(factory(portlandPort), portland.connect(), executor);
      // The directory of Seattle's server: its answers come back to Seattle's broker by name.
      ControlClient client = new ControlClient(factory(seattlePort), "seattle");
      byte[] data = new byte[256 * 1024];
      try {
        StorageConnection atSeattle =
            new RemoteStorageConnection(
                client, "seattle", Duration.ofSeconds(20), Duration.ofSeconds(30));
        StorageConnection atPortland =
            new RemoteStorageConnection(
                client, "portland", Duration.ofSeconds(20), Duration.ofSeconds(30));
        CopyVolumeGroupInfo group = group("v1", "seattle", "portland");
        for (StorageConnection site : new StorageConnection[] {atSeattle, atPortland}) {
          site.createVolume("v1", 4 * MIB);
          site.defineCopyGroup(group);
        }
        Random random = new Random(3);
        for (int i = 0; i < 40; i++) {
          random.nextBytes(data);
          atSeattle.write("v1", 1, (long) random.nextInt(15) * data.length, data, false);
        }
        CacheSynchronization sync =
            atSeattle.synchronizeCache("v1", Set.of("portland"), Duration.ofSeconds(20));
        assertEquals(Set.of("portland"), sync.sequences().keySet());
        atSeattle.flush("v1");
        CopyGroupStatus status = atPortland.copyGroupStatus("v1");
        assertEquals(CopyGroupStatus.Role.SECONDARY, status.role());
        assertEquals(sync.sequences().get("portland"), status.applied().sequence());

        // An online verify across the bridges: its entries go with the write data, its digests
        // come back with the acknowledgements, its status through the control path.
        CopyGroupStatus started =
            atSeattle.verify("v1", new VerifyRequest(Set.of("portland"), 0, true));
        assertEquals(VerifyStatus.Outcome.RUNNING, started.secondaries().get(0).verify().outcome());
        VerifyStatus verified =
            await()
                .atMost(Duration.ofSeconds(60))
                .until(
                    () -> atSeattle.copyGroupStatus("v1").secondaries().get(0).verify(),
                    v -> v.outcome() != VerifyStatus.Outcome.RUNNING);
        assertEquals(VerifyStatus.Outcome.NO_DIFFERENCE, verified.outcome(), verified.toString());
        assertEquals(4 * MIB, verified.bytesVerified());
      } finally {
        client.close();
        seattleServer.stop(0);
        portlandServer.stop(0);
        seattle.close();
        portland.close();
        executor.shutdownNow();
      }
      assertArrayEquals(
          Files.readAllBytes(volumeFile("seattle")),
          Files.readAllBytes(volumeFile("portland")),
          "the copies are identical");
    }
  }

  private Path volumeFile(String site) {
    return root.resolve(site).resolve("volumes").resolve("v1.vol");
  }

  private StorageControlUnit open(String site, int brokerPort, ExecutorService executor) {
    return StorageControlUnit.open(
        new StorageControlUnitConfig(site, root.resolve(site), 16L * MIB, null, -1),
        executor,
        new RemoteCopy(factory(brokerPort), RemoteCopySettings.DEFAULTS));
  }

  private static ConnectionFactory factory(int port) {
    return new ActiveMQConnectionFactory(
        "tcp://127.0.0.1:" + port + "?minLargeMessageSize=4194304&consumerWindowSize=8388608");
  }
}
