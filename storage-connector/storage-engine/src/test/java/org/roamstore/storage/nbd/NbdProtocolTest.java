package org.roamstore.storage.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.engine.StorageControlUnit;
import org.roamstore.storage.engine.StorageControlUnitConfig;

/**
 * The NBD server byte by byte: handshake options, pipelining, and frames real clients never send.
 */
class NbdProtocolTest {
  private static final long SIZE = 1 << 20;
  private static final int EPERM = 1;
  private static final int EINVAL = 22;
  private static final int ENOSPC = 28;

  @TempDir Path dir;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private StorageControlUnit unit;
  private StorageConnection storage;
  private byte[] original;

  @BeforeEach
  void start() {
    unit =
        StorageControlUnit.open(
            new StorageControlUnitConfig("site-a", dir, 1 << 20, null, 0), executor);
    storage = unit.connect();
    var volume = storage.createVolume("v1", SIZE);
    storage.defineCopyGroup(
        new CopyVolumeGroupInfo(
            "g1", TransferType.SYNC, 1, List.of(new CopyGroupMember(volume.address(), true))));
    storage.registerExport("token-1", "v1", 1);
    original = new byte[(int) SIZE];
    new Random(11).nextBytes(original);
    storage.write("v1", 1, 0, original, false);
  }

  @AfterEach
  void stop() {
    unit.close();
    executor.shutdownNow();
  }

  private RawNbdClient connected() throws Exception {
    RawNbdClient client = new RawNbdClient(unit.nbdPort());
    assertEquals(1, client.go("token-1"), "GO acknowledged");
    assertEquals(SIZE, client.exportSize);
    return client;
  }

  private void assertDataUnchangedAndServing() throws Exception {
    assertArrayEquals(original, storage.read("v1", 1, 0, (int) SIZE), "volume unchanged");
    try (RawNbdClient other = connected()) {
      assertArrayEquals(java.util.Arrays.copyOfRange(original, 100, 200), other.read(9, 100, 100));
    }
  }

  @Test
  void unknownExportIsRefusedInTheHandshake() throws Exception {
    try (RawNbdClient client = new RawNbdClient(unit.nbdPort())) {
      assertEquals(0x80000006, client.go("no-such-token"), "NBD_REP_ERR_UNKNOWN");
      client.sendOption(6, RawNbdClient.goData("no-such-token")); // INFO
      assertEquals(0x80000006, client.readOptionReply().type());
      client.sendOption(1, "no-such-token".getBytes(StandardCharsets.UTF_8)); // EXPORT_NAME
      assertTrue(client.closedByServer(), "EXPORT_NAME of an unknown name closes");
    }
  }

  @Test
  void optionsOutsideTheSupportedSetAreRefusedLoudly() throws Exception {
    try (RawNbdClient client = new RawNbdClient(unit.nbdPort())) {
      client.sendOption(8, new byte[0]); // STRUCTURED_REPLY
      assertEquals(0x80000001, client.readOptionReply().type(), "NBD_REP_ERR_UNSUP");
      client.sendOption(3, new byte[0]); // LIST: names are access tokens
      assertEquals(0x80000002, client.readOptionReply().type(), "NBD_REP_ERR_POLICY");
      client.sendOption(7, new byte[] {0, 0, 0, 50, 'x'}); // GO with a lying name length
      assertEquals(0x80000003, client.readOptionReply().type(), "NBD_REP_ERR_INVALID");
      client.sendOption(6, RawNbdClient.goData("token-1")); // INFO keeps the option phase
      RawNbdClient.OptionReply info = client.readOptionReply();
      assertEquals(3, info.type(), "NBD_REP_INFO");
      while (client.readOptionReply().type() != 1) {
        // further information, then the ACK
      }
      client.sendOption(2, new byte[0]); // ABORT
      assertEquals(1, client.readOptionReply().type(), "ABORT acknowledged");
      assertTrue(client.closedByServer());
    }
  }

  @Test
  void exportNameOptionEntersTransmission() throws Exception {
    try (RawNbdClient client = new RawNbdClient(unit.nbdPort())) {
      client.sendOption(1, "token-1".getBytes(StandardCharsets.UTF_8));
      assertEquals(SIZE, client.in.readLong());
      assertEquals(0x16d, client.in.readUnsignedShort(), "transmission flags");
      assertArrayEquals(java.util.Arrays.copyOfRange(original, 0, 16), client.read(1, 0, 16));
    }
  }

  @Test
  void pipelinedRequestsAllGetTheirReplies() throws Exception {
    try (RawNbdClient client = connected()) {
      Random random = new Random(5);
      byte[] expected = original.clone();
      int n = 200;
      for (int i = 0; i < n; i++) {
        byte[] data = new byte[1 + random.nextInt(5000)];
        random.nextBytes(data);
        int offset = random.nextInt((int) SIZE - data.length);
        System.arraycopy(data, 0, expected, offset, data.length);
        client.request(i % 7 == 0 ? 1 : 0, 1, 1000 + i, offset, data.length, data); // some FUA
      }
      client.request(0, 3, 5000, 0, 0, null); // FLUSH in the middle of it all
      Set<Long> cookies = new HashSet<>();
      for (int i = 0; i <= n; i++) {
        RawNbdClient.Reply r = client.readReply();
        assertEquals(0, r.error());
        cookies.add(r.cookie());
      }
      assertEquals(n + 1, cookies.size(), "one reply per request");
      assertArrayEquals(expected, storage.read("v1", 1, 0, (int) SIZE));
    }
  }

  @Test
  void badMagicDisconnectsAndChangesNothing() throws Exception {
    try (RawNbdClient client = connected()) {
      client.out.writeInt(0xdeadbeef);
      client.out.writeShort(0);
      client.out.writeShort(1);
      client.out.writeLong(1);
      client.out.writeLong(0);
      client.out.writeInt(4);
      client.out.write(new byte[] {1, 2, 3, 4});
      client.out.flush();
      assertTrue(client.closedByServer());
    }
    assertDataUnchangedAndServing();
  }

  @Test
  void hugeWriteDisconnectsAndHugeReadIsInvalid() throws Exception {
    try (RawNbdClient client = connected()) {
      client.request(0, 0, 1, 0, 0xFFFF_FFF0L, null); // READ of ~4 GiB
      assertEquals(new RawNbdClient.Reply(EINVAL, 1), client.readReply());
      client.request(0, 1, 2, 0, 64 << 20, new byte[1000]); // WRITE of 64 MiB announced
      assertTrue(client.closedByServer());
    }
    assertDataUnchangedAndServing();
  }

  @Test
  void outOfRangeRequestsGetErrorsAndChangeNothing() throws Exception {
    try (RawNbdClient client = connected()) {
      assertEquals(ENOSPC, client.write(1, SIZE - 2, new byte[] {7, 7, 7, 7}));
      assertEquals(ENOSPC, client.write(2, Long.MAX_VALUE - 1, new byte[] {7, 7}));
      assertEquals(ENOSPC, client.write(3, -4096, new byte[] {7, 7}));
      client.request(0, 0, 4, SIZE, 1, null);
      assertEquals(new RawNbdClient.Reply(EINVAL, 4), client.readReply());
      client.request(0, 6, 5, SIZE - 10, 20, null); // WRITE_ZEROES past the end
      assertEquals(new RawNbdClient.Reply(ENOSPC, 5), client.readReply());
      client.request(0, 4, 6, SIZE - 10, 20, null); // TRIM past the end
      assertEquals(new RawNbdClient.Reply(EINVAL, 6), client.readReply());
      client.request(0, 42, 7, 0, 0, null); // unknown command
      assertEquals(new RawNbdClient.Reply(EINVAL, 7), client.readReply());
      client.request(1 << 9, 1, 8, 0, 2, new byte[] {7, 7}); // unknown flag on a write
      assertEquals(new RawNbdClient.Reply(EINVAL, 8), client.readReply());
      assertArrayEquals(java.util.Arrays.copyOfRange(original, 0, 8), client.read(9, 0, 8));
    }
    assertDataUnchangedAndServing();
  }

  @Test
  void garbageInTheHandshakeDisconnects() throws Exception {
    try (RawNbdClient client = new RawNbdClient(unit.nbdPort())) {
      client.out.writeLong(0x1234);
      client.out.writeInt(7);
      client.out.writeInt(0);
      client.out.flush();
      assertTrue(client.closedByServer());
    }
    try (RawNbdClient client = new RawNbdClient(unit.nbdPort())) {
      client.out.writeLong(RawNbdClient.IHAVEOPT);
      client.out.writeInt(7);
      client.out.writeInt(Integer.MAX_VALUE); // option length nobody needs
      client.out.flush();
      assertTrue(client.closedByServer());
    }
    assertDataUnchangedAndServing();
  }

  @Test
  void exportStopsWorkingWhenTheEpochMovesOnOrItIsRevoked() throws Exception {
    storage.registerExport("token-2", "v1", 1);
    try (RawNbdClient client = connected();
        RawNbdClient second = new RawNbdClient(unit.nbdPort())) {
      assertEquals(1, second.go("token-2"));
      storage.revokeExport("token-2");
      second.request(0, 0, 1, 0, 8, null);
      assertEquals(new RawNbdClient.Reply(EPERM, 1), second.readReply());

      storage.defineCopyGroup(
          new CopyVolumeGroupInfo(
              "g1",
              TransferType.SYNC,
              2,
              List.of(new CopyGroupMember(storage.volume("v1").orElseThrow().address(), true))));
      assertEquals(EPERM, client.write(2, 0, new byte[] {1, 2, 3}));
      client.request(0, 0, 3, 0, 8, null);
      assertEquals(new RawNbdClient.Reply(EPERM, 3), client.readReply());
      client.request(0, 3, 4, 0, 0, null);
      assertEquals(new RawNbdClient.Reply(EPERM, 4), client.readReply());
    }
    assertArrayEquals(original, storage.read("v1", 2, 0, (int) SIZE), "volume unchanged");
    try (RawNbdClient client = new RawNbdClient(unit.nbdPort())) {
      assertEquals(0x80000006, client.go("token-1"), "stale token is gone");
    }
  }

  @Test
  void anExpiredExportOpensNoNewConnectionButOneOpenGoesOn() throws Exception {
    Instant expiresAt = Instant.now().plusMillis(500);
    storage.registerExport("token-short", "v1", 1, expiresAt);
    try (RawNbdClient open = new RawNbdClient(unit.nbdPort())) {
      assertEquals(1, open.go("token-short"), "GO before the expiry");
      while (Instant.now().isBefore(expiresAt.plusMillis(50))) {
        Thread.sleep(50);
      }
      try (RawNbdClient late = new RawNbdClient(unit.nbdPort())) {
        assertEquals(0x80000006, late.go("token-short"), "NBD_REP_ERR_UNKNOWN after the expiry");
      }
      assertEquals(0, open.write(1, 4096, new byte[] {9, 8, 7}), "the open connection writes");
      assertArrayEquals(new byte[] {9, 8, 7}, open.read(2, 4096, 3));
    }
    assertThrows(
        StorageException.class,
        () -> storage.registerExport("token-late", "v1", 1, Instant.now().minusSeconds(1)),
        "an export that has expired already is refused");
  }

  @Test
  void disconnectCommandEndsTheConnectionAfterItsReplies() throws Exception {
    try (RawNbdClient client = connected()) {
      client.request(1, 1, 1, 0, 3, new byte[] {4, 5, 6}); // FUA write
      client.request(0, 2, 2, 0, 0, null); // DISC
      assertEquals(new RawNbdClient.Reply(0, 1), client.readReply());
      assertTrue(client.closedByServer());
    }
    assertArrayEquals(new byte[] {4, 5, 6}, storage.read("v1", 1, 0, 3));
  }
}
