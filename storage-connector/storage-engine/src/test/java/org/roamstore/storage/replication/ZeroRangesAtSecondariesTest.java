package org.roamstore.storage.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roamstore.storage.replication.RemoteCopySites.MIB;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.engine.StorageControlUnit;
import org.roamstore.storage.engine.StorageControlUnitConfig;

/**
 * TRIM and zeroing through NBD at the primary (qemu-io) reach the secondary as zero ranges, which
 * it applies by punching holes: its volume file gives the space back as the primary's does, and the
 * two files stay byte-identical.
 */
class ZeroRangesAtSecondariesTest {
  private static final long SIZE = 32L * MIB;

  @TempDir Path root;

  @Test
  void trimAndZeroingAtThePrimaryPunchHolesAtTheSecondary() throws Exception {
    Path qemuIo = Path.of("/usr/bin/qemu-io");
    assertTrue(Files.isExecutable(qemuIo), "qemu-io is missing: install the Debian qemu-utils");
    ExecutorService executor = Executors.newCachedThreadPool();
    try (RemoteCopySites sites =
        RemoteCopySites.withEmbeddedBroker(root, RemoteCopySettings.DEFAULTS)) {
      // The primary opened here rather than by the sites: it serves NBD on a free port.
      StorageControlUnit seattle =
          StorageControlUnit.open(
              new StorageControlUnitConfig("seattle", root.resolve("seattle"), 64L * MIB, null, 0),
              executor,
              new RemoteCopy(sites.connectionFactory(), sites.settings));
      try (StorageConnection c = seattle.connect()) {
        CopyVolumeGroupInfo group =
            RemoteCopySites.group(
                "v1",
                TransferType.SYNC,
                SyncFailurePolicy.MARK_OUT_OF_SYNC,
                "seattle",
                "seattle",
                "portland");
        c.createVolume("v1", SIZE);
        c.defineCopyGroup(group);
        sites.open("portland");
        sites.create(group, SIZE);
        c.registerExport("token", "v1", 1);

        byte[] data = new byte[MIB];
        Random random = new Random(32);
        for (long at = 0; at < 16L * MIB; at += MIB) {
          random.nextBytes(data);
          c.write("v1", 1, at, data, false);
        }
        c.synchronizeCache("v1", Set.of(), Duration.ofSeconds(30));
        long before = allocatedBytes(sites.volumeFile("portland", "v1"));
        assertTrue(before >= 16L * MIB, "the secondary holds the data: " + before);

        String uri = "nbd://127.0.0.1:" + seattle.nbdPort() + "/token";
        run(qemuIo.toString(), "-f", "raw", uri, "-c", "discard 0 8M", "-c", "write -z -u 8M 4M");
        c.synchronizeCache("v1", Set.of(), Duration.ofSeconds(30));
        c.flush("v1");

        for (String site : new String[] {"seattle", "portland"}) {
          long after = allocatedBytes(sites.volumeFile(site, "v1"));
          assertTrue(after <= before - 12L * MIB, site + ": " + before + " -> " + after);
        }
        assertEquals(sites.checksum("seattle", "v1"), sites.checksum("portland", "v1"));
        byte[] zeros = new byte[12 * MIB];
        byte[] atPortland = new byte[zeros.length];
        try (var file = java.nio.channels.FileChannel.open(sites.volumeFile("portland", "v1"))) {
          file.read(java.nio.ByteBuffer.wrap(atPortland), 0);
        }
        assertEquals(-1, java.util.Arrays.mismatch(zeros, atPortland), "zeros at the secondary");
      } finally {
        seattle.close();
      }
    } finally {
      executor.shutdownNow();
    }
  }

  private long allocatedBytes(Path file) throws Exception {
    return 512 * Long.parseLong(run("/usr/bin/stat", "-c", "%b", file.toString()).strip());
  }

  private String run(String... command) throws Exception {
    return RemoteCopySites.run(root, command);
  }
}
