package org.roamstore.storage.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
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
  private static final int ENOTSUP = 95;
  private static final int REP_ACK = 1;
  private static final int REP_META_CONTEXT = 4;
  private static final int REP_ERR_INVALID = 0x80000003;
  private static final int REP_ERR_UNKNOWN = 0x80000006;
  private static final int LIST_META_CONTEXT = 9;
  private static final int SET_META_CONTEXT = 10;
  private static final int CMD_READ = 0;
  private static final int CMD_TRIM = 4;
  private static final int CMD_WRITE_ZEROES = 6;
  private static final int CMD_BLOCK_STATUS = 7;
  private static final int FLAG_NO_HOLE = 2;
  private static final int FLAG_DF = 4;
  private static final int FLAG_REQ_ONE = 8;
  private static final int FLAG_FAST_ZERO = 16;
  private static final int HOLE_AND_ZERO = 3;
  // Trimmed by the tests of holes: whole pages in the middle of the volume.
  private static final int HOLE_AT = 256 << 10;
  private static final int HOLE_LENGTH = 512 << 10;

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
      client.sendOption(11, new byte[0]); // EXTENDED_HEADERS: experimental, not served
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
      // HAS_FLAGS, FLUSH, FUA, TRIM, WRITE_ZEROES, CAN_MULTI_CONN, FAST_ZERO; no DF (no structured)
      assertEquals(0x96d, client.in.readUnsignedShort(), "transmission flags");
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

  /** A connection with structured replies and {@code base:allocation} selected for token-1. */
  private RawNbdClient structured() throws Exception {
    RawNbdClient client = new RawNbdClient(unit.nbdPort());
    client.structuredReplies();
    List<RawNbdClient.OptionReply> set =
        client.metaContext(
            SET_META_CONTEXT, RawNbdClient.metaContextData("token-1", "base:allocation"));
    assertEquals(List.of(REP_META_CONTEXT, REP_ACK), types(set));
    assertEquals(1, client.go("token-1"), "GO acknowledged");
    assertTrue((client.exportFlags & (1 << 7)) != 0, "DF is announced with structured replies");
    return client;
  }

  private static List<Integer> types(List<RawNbdClient.OptionReply> replies) {
    return replies.stream().map(RawNbdClient.OptionReply::type).toList();
  }

  /** The volume's content once the middle is trimmed. */
  private byte[] trimmedOriginal(RawNbdClient client) throws Exception {
    client.request(0, CMD_TRIM, 77, HOLE_AT, HOLE_LENGTH, null);
    assertEquals(new RawNbdClient.Reply(0, 77), client.readReply());
    byte[] expected = original.clone();
    Arrays.fill(expected, HOLE_AT, HOLE_AT + HOLE_LENGTH, (byte) 0);
    return expected;
  }

  @Test
  void aStructuredReadSendsTheTrimmedRangeAsAHoleAndTheRestAsData() throws Exception {
    try (RawNbdClient client = structured()) {
      byte[] expected = trimmedOriginal(client);
      client.request(0, CMD_READ, 5, 0, SIZE, null);
      byte[] back = new byte[(int) SIZE];
      Arrays.fill(back, (byte) 0x55); // anything a chunk does not cover stays visibly wrong
      long holeBytes = 0;
      for (RawNbdClient.Chunk c : client.readChunks(5)) {
        ByteBuffer d = c.data();
        int at = (int) d.getLong();
        switch (c.type()) {
          case RawNbdClient.CHUNK_OFFSET_DATA -> d.get(back, at, d.remaining());
          case RawNbdClient.CHUNK_OFFSET_HOLE -> {
            int n = d.getInt();
            assertTrue(at >= HOLE_AT && at + n <= HOLE_AT + HOLE_LENGTH, "hole " + at + "+" + n);
            Arrays.fill(back, at, at + n, (byte) 0);
            holeBytes += n;
          }
          default -> fail("unexpected chunk type " + c.type());
        }
      }
      assertArrayEquals(expected, back);
      assertEquals(HOLE_LENGTH, holeBytes, "the whole trimmed range went as a hole");

      client.request(FLAG_DF, CMD_READ, 6, 0, SIZE, null); // don't fragment: one data chunk
      List<RawNbdClient.Chunk> one = client.readChunks(6);
      assertEquals(1, one.size());
      assertEquals(RawNbdClient.CHUNK_OFFSET_DATA, one.get(0).type());
      ByteBuffer d = one.get(0).data();
      assertEquals(0, d.getLong());
      byte[] whole = new byte[d.remaining()];
      d.get(whole);
      assertArrayEquals(expected, whole);
    }
  }

  @Test
  void blockStatusReportsTheHoleAndRefusesRangesPastTheEnd() throws Exception {
    try (RawNbdClient client = structured()) {
      trimmedOriginal(client);
      client.request(0, CMD_BLOCK_STATUS, 1, 0, SIZE, null);
      assertEquals(
          List.of(
              List.of(HOLE_AT, 0),
              List.of(HOLE_LENGTH, HOLE_AND_ZERO),
              List.of((int) SIZE - HOLE_AT - HOLE_LENGTH, 0)),
          extents(client, 1));

      client.request(FLAG_REQ_ONE, CMD_BLOCK_STATUS, 2, 0, SIZE, null);
      assertEquals(List.of(List.of(HOLE_AT, 0)), extents(client, 2));
      client.request(FLAG_REQ_ONE, CMD_BLOCK_STATUS, 3, HOLE_AT + 4096, 4096, null);
      assertEquals(List.of(List.of(4096, HOLE_AND_ZERO)), extents(client, 3), "not past length");

      client.request(0, CMD_BLOCK_STATUS, 4, SIZE - 4096, 8192, null);
      assertError(client, 4, EINVAL);
      client.request(0, CMD_BLOCK_STATUS, 5, SIZE, 1, null);
      assertError(client, 5, EINVAL);
      client.request(0, CMD_BLOCK_STATUS, 6, 0, 0, null);
      assertError(client, 6, EINVAL);
      client.request(1 << 9, CMD_BLOCK_STATUS, 7, 0, 4096, null); // unknown flag
      assertError(client, 7, EINVAL);
      client.request(FLAG_REQ_ONE, CMD_READ, 8, 0, 4096, null); // a flag READ does not take
      assertError(client, 8, EINVAL);
      client.request(0, CMD_READ, 9, SIZE - 1, 2, null); // past the end: an error chunk
      assertError(client, 9, EINVAL);
    }
    assertDataUnchangedExceptTheHole();
  }

  private void assertDataUnchangedExceptTheHole() throws Exception {
    byte[] expected = original.clone();
    Arrays.fill(expected, HOLE_AT, HOLE_AT + HOLE_LENGTH, (byte) 0);
    assertArrayEquals(expected, storage.read("v1", 1, 0, (int) SIZE));
  }

  /** The (length, flags) pairs of a one-chunk block status reply for base:allocation. */
  private static List<List<Integer>> extents(RawNbdClient client, long cookie) throws Exception {
    List<RawNbdClient.Chunk> chunks = client.readChunks(cookie);
    assertEquals(1, chunks.size(), "one chunk per selected context");
    assertEquals(RawNbdClient.CHUNK_BLOCK_STATUS, chunks.get(0).type());
    ByteBuffer d = chunks.get(0).data();
    assertEquals(1, d.getInt(), "the context id SET_META_CONTEXT gave");
    List<List<Integer>> extents = new java.util.ArrayList<>();
    while (d.hasRemaining()) {
      extents.add(List.of(d.getInt(), d.getInt()));
    }
    return extents;
  }

  private static void assertError(RawNbdClient client, long cookie, int error) throws Exception {
    List<RawNbdClient.Chunk> chunks = client.readChunks(cookie);
    assertEquals(1, chunks.size());
    assertEquals(RawNbdClient.CHUNK_ERROR, chunks.get(0).type());
    assertEquals(error, chunks.get(0).error());
  }

  @Test
  void malformedMetaContextNegotiationsGetTheProtocolsErrors() throws Exception {
    storage.registerExport("token-2", "v1", 1);
    try (RawNbdClient client = new RawNbdClient(unit.nbdPort())) {
      byte[] select = RawNbdClient.metaContextData("token-1", "base:allocation");
      assertEquals(
          List.of(REP_ERR_INVALID),
          types(client.metaContext(SET_META_CONTEXT, select)),
          "no structured replies yet");
      client.sendOption(8, new byte[] {1}); // STRUCTURED_REPLY with data
      assertEquals(REP_ERR_INVALID, client.readOptionReply().type());
      client.structuredReplies();

      byte[] lying = select.clone();
      lying[18] = 100; // the query's length now runs past the option
      assertEquals(List.of(REP_ERR_INVALID), types(client.metaContext(SET_META_CONTEXT, lying)));
      byte[] noNamespace = RawNbdClient.metaContextData("token-1", "allocation");
      assertEquals(
          List.of(REP_ERR_INVALID), types(client.metaContext(SET_META_CONTEXT, noNamespace)));
      byte[] unknownExport = RawNbdClient.metaContextData("no-such-token", "base:allocation");
      assertEquals(
          List.of(REP_ERR_UNKNOWN), types(client.metaContext(SET_META_CONTEXT, unknownExport)));
      byte[] otherNamespace = RawNbdClient.metaContextData("token-1", "x-other:thing");
      assertEquals(List.of(REP_ACK), types(client.metaContext(SET_META_CONTEXT, otherNamespace)));

      List<RawNbdClient.OptionReply> listed =
          client.metaContext(LIST_META_CONTEXT, RawNbdClient.metaContextData("token-1", "base:"));
      assertEquals(List.of(REP_META_CONTEXT, REP_ACK), types(listed));
      assertEquals("base:allocation", contextName(listed.get(0)), "base: lists its namespace only");

      // Selected for token-1, then GO to token-2: nothing is selected there.
      assertEquals(
          List.of(REP_META_CONTEXT, REP_ACK), types(client.metaContext(SET_META_CONTEXT, select)));
      assertEquals(1, client.go("token-2"));
      client.request(0, CMD_BLOCK_STATUS, 1, 0, 4096, null);
      assertError(client, 1, EINVAL);
      assertArrayEquals(Arrays.copyOfRange(original, 0, 4096), readChunked(client, 2, 4096));
    }
    assertDataUnchangedAndServing();
  }

  @Test
  void replicationContextIsListedSelectedBesideAllocationAndAnsweredInAChunkOfItsOwn()
      throws Exception {
    try (RawNbdClient client = new RawNbdClient(unit.nbdPort())) {
      client.structuredReplies();
      for (byte[] list :
          List.of(
              RawNbdClient.metaContextData("token-1"),
              RawNbdClient.metaContextData("token-1", "roamstore:"),
              RawNbdClient.metaContextData("token-1", "roamstore:replication", "roamstore:xyz"))) {
        List<RawNbdClient.OptionReply> listed = client.metaContext(LIST_META_CONTEXT, list);
        assertEquals("roamstore:replication", contextName(listed.get(listed.size() - 2)));
        assertEquals(0, ByteBuffer.wrap(listed.get(0).data()).getInt(), "listing gives no id");
      }
      assertEquals(
          List.of("base:allocation", "roamstore:replication"),
          contextNames(
              client.metaContext(LIST_META_CONTEXT, RawNbdClient.metaContextData("token-1"))),
          "no query lists every context");
      assertEquals(
          List.of(REP_ACK),
          types(
              client.metaContext(
                  SET_META_CONTEXT,
                  RawNbdClient.metaContextData("token-1", "roamstore:xyz", "roamstore:"))),
          "an unknown leaf and the bare namespace select nothing");
      String absurd = "roamstore:" + "x".repeat(8000);
      assertEquals(
          List.of(REP_ERR_INVALID),
          types(
              client.metaContext(
                  LIST_META_CONTEXT, RawNbdClient.metaContextData("token-1", absurd))),
          "a query longer than the protocol's strings");

      List<RawNbdClient.OptionReply> set =
          client.metaContext(
              SET_META_CONTEXT,
              RawNbdClient.metaContextData(
                  "token-1", "roamstore:replication", "roamstore:xyz", "base:allocation"));
      assertEquals(List.of(REP_META_CONTEXT, REP_META_CONTEXT, REP_ACK), types(set));
      assertEquals(
          List.of(List.of(1, "base:allocation"), List.of(2, "roamstore:replication")),
          set.subList(0, 2).stream()
              .map(r -> List.<Object>of(ByteBuffer.wrap(r.data()).getInt(), contextName(r)))
              .toList(),
          "each selected context has an id of its own");
      assertEquals(1, client.go("token-1"));

      client.request(0, CMD_BLOCK_STATUS, 1, 4096, SIZE - 4096, null);
      List<RawNbdClient.Chunk> chunks = client.readChunks(1);
      assertEquals(2, chunks.size(), "one chunk per selected context");
      assertEquals(List.of(false, true), chunks.stream().map(RawNbdClient.Chunk::done).toList());
      assertEquals(List.of(1, List.of((int) SIZE - 4096, 0)), statusOf(chunks.get(0)));
      assertEquals(
          List.of(2, List.of((int) SIZE - 4096, 0)),
          statusOf(chunks.get(1)),
          "a volume without secondaries has nothing pending");

      client.request(FLAG_REQ_ONE, CMD_BLOCK_STATUS, 2, 0, 8192, null);
      chunks = client.readChunks(2);
      assertEquals(List.of(2, List.of(8192, 0)), statusOf(chunks.get(1)), "REQ_ONE: one extent");

      client.request(0, CMD_BLOCK_STATUS, 3, SIZE - 4096, 8192, null);
      assertError(client, 3, EINVAL);
    }

    try (RawNbdClient client = new RawNbdClient(unit.nbdPort())) {
      client.structuredReplies();
      assertEquals(
          List.of(REP_META_CONTEXT, REP_ACK),
          types(
              client.metaContext(
                  SET_META_CONTEXT,
                  RawNbdClient.metaContextData("token-1", "roamstore:replication"))));
      assertEquals(1, client.go("token-1"));
      client.request(0, CMD_BLOCK_STATUS, 1, 0, SIZE, null);
      List<RawNbdClient.Chunk> chunks = client.readChunks(1);
      assertEquals(1, chunks.size(), "replication alone: one chunk");
      assertEquals(List.of(2, List.of((int) SIZE, 0)), statusOf(chunks.get(0)));
    }
    assertDataUnchangedAndServing();
  }

  private static String contextName(RawNbdClient.OptionReply reply) {
    byte[] data = reply.data();
    return new String(data, 4, data.length - 4, StandardCharsets.UTF_8);
  }

  private static List<String> contextNames(List<RawNbdClient.OptionReply> replies) {
    return replies.stream()
        .filter(r -> r.type() == REP_META_CONTEXT)
        .map(NbdProtocolTest::contextName)
        .toList();
  }

  /** A block status chunk as its context id and its extents' (length, flags) pairs, flattened. */
  private static List<Object> statusOf(RawNbdClient.Chunk chunk) {
    assertEquals(RawNbdClient.CHUNK_BLOCK_STATUS, chunk.type());
    ByteBuffer d = chunk.data();
    List<Object> status = new java.util.ArrayList<>();
    status.add(d.getInt());
    while (d.hasRemaining()) {
      status.add(List.of(d.getInt(), d.getInt()));
    }
    return status;
  }

  private static byte[] readChunked(RawNbdClient client, long cookie, int length) throws Exception {
    client.request(0, CMD_READ, cookie, 0, length, null);
    List<RawNbdClient.Chunk> chunks = client.readChunks(cookie);
    assertEquals(1, chunks.size(), "a short read is one data chunk");
    ByteBuffer d = chunks.get(0).data();
    assertEquals(0, d.getLong());
    byte[] data = new byte[d.remaining()];
    d.get(data);
    return data;
  }

  @Test
  void fastZeroIsRefusedAtOnceWhenItCannotBeFastAndPunchesOtherwise() throws Exception {
    try (RawNbdClient client = connected()) {
      assertTrue((client.exportFlags & (1 << 11)) != 0, "FAST_ZERO is announced");
      client.request(FLAG_FAST_ZERO | FLAG_NO_HOLE, CMD_WRITE_ZEROES, 1, 0, 65536, null);
      assertEquals(new RawNbdClient.Reply(ENOTSUP, 1), client.readReply());
      assertArrayEquals(original, storage.read("v1", 1, 0, (int) SIZE), "nothing changed");

      client.request(FLAG_FAST_ZERO, CMD_WRITE_ZEROES, 2, 4096, 65536, null);
      assertEquals(new RawNbdClient.Reply(0, 2), client.readReply());
      client.request(1, CMD_READ, 3, 0, 8192, null); // FUA on a read: accepted, meaningless
      assertEquals(new RawNbdClient.Reply(0, 3), client.readReply());
      byte[] back = client.in.readNBytes(8192);
      assertArrayEquals(Arrays.copyOfRange(original, 0, 4096), Arrays.copyOfRange(back, 0, 4096));
      assertArrayEquals(new byte[4096], Arrays.copyOfRange(back, 4096, 8192));
    }
  }
}
