package org.roamstore.storage.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.broker.SiteBroker;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.engine.StorageControlUnit;
import org.roamstore.storage.engine.StorageControlUnitConfig;

/** The control path through a real broker: a unit's server, a client, and what crosses between. */
class ControlPathTest {
  private static final long MIB = 1 << 20;

  static {
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.activemq.audit", "off");
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
  }

  @TempDir Path root;
  private SiteBroker broker;
  private int port;
  private ExecutorService executor;
  private StorageControlUnit seattle;
  private ControlServer server;
  private ControlClient client;
  private StorageConnection remote;
  private StorageConnection local;

  @BeforeEach
  void start() throws Exception {
    port = freePort();
    broker = SiteBroker.start(root.resolve("broker"), "127.0.0.1", port);
    executor = Executors.newCachedThreadPool();
    seattle = open("seattle");
    server = ControlServer.start(factory(), seattle.connect(), executor);
    client = new ControlClient(factory(), null);
    remote =
        new RemoteStorageConnection(
            client, "seattle", Duration.ofSeconds(10), Duration.ofSeconds(30));
    local = seattle.connect();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    server.stop(0);
    seattle.close();
    executor.shutdownNow();
    broker.close();
  }

  @Test
  void everyCallGivesWhatTheLocalCallGives() {
    assertEquals(local.createVolume("v1", MIB), remote.volume("v1").orElseThrow());
    CopyVolumeGroupInfo group = group("v1", "seattle");
    remote.defineCopyGroup(group);
    assertEquals(group, local.volume("v1").orElseThrow().copyGroup().orElseThrow());

    byte[] data = new byte[10_000];
    new Random(1).nextBytes(data);
    remote.write("v1", 1, 4097, data, true);
    assertArrayEquals(data, local.read("v1", 1, 4097, data.length));
    assertArrayEquals(data, remote.read("v1", 1, 4097, data.length));
    remote.flush("v1");

    remote.registerExport("token-1", "v1", 1);
    remote.revokeExport("token-1");
    assertEquals(local.status(), remote.status());
    assertEquals(local.volumes(), remote.volumes());
    assertTrue(remote.volume("nothing").isEmpty());

    remote.deleteVolume("v1");
    assertTrue(local.volume("v1").isEmpty());
  }

  @Test
  void refusalsKeepTheirReasonAndChangeNothing() {
    local.createVolume("v1", MIB);
    local.defineCopyGroup(group("v1", "seattle"));
    byte[] before = local.read("v1", 1, 0, 4096);

    assertReason(Reason.UNKNOWN_VOLUME, () -> remote.read("v2", 1, 0, 1));
    assertReason(Reason.OUT_OF_RANGE, () -> remote.write("v1", 1, MIB - 1, new byte[2], false));
    assertReason(Reason.STALE_EPOCH, () -> remote.write("v1", 7, 0, new byte[] {1}, false));
    assertReason(Reason.INVALID_ARGUMENT, () -> remote.createVolume("no/slashes", MIB));
    assertReason(Reason.VOLUME_EXISTS, () -> remote.createVolume("v1", MIB));
    // This unit has no remote copy: the refusal says so, as a local call would.
    assertReason(Reason.UNSUPPORTED, () -> remote.synchronizeCache("v1", Set.of(), Duration.ZERO));
    assertReason(
        Reason.UNSUPPORTED,
        () -> remote.verify("v1", new org.roamstore.storage.api.VerifyRequest(Set.of(), 5, false)));
    // The regions a new primary would inherit cross too: this one misses some itself.
    java.util.BitSet missed = new java.util.BitSet();
    missed.set(0);
    assertReason(
        Reason.INVALID_ARGUMENT,
        () ->
            remote.defineCopyGroup(
                group("v1", "seattle"),
                new OutOfSyncRegions((int) MIB, java.util.Map.of("seattle", missed))));

    assertArrayEquals(before, local.read("v1", 1, 0, 4096));
    assertEquals(List.of("v1"), local.volumes().stream().map(v -> v.address().volumeId()).toList());
  }

  @Test
  void localAndRemoteCallsRefuseWithTheSameReasonAndMessage() {
    local.createVolume("v1", MIB);
    local.defineCopyGroup(group("v1", "seattle"));
    List<java.util.function.Function<StorageConnection, Object>> calls =
        List.of(
            c -> c.read("v2", 1, 0, 1),
            c -> c.read("v1", 1, 0, (int) (2 * MIB)),
            c -> c.read("v1", 7, 0, 1),
            c -> c.createVolume("no/slashes", MIB),
            c -> c.createVolume(null, MIB),
            c -> c.createVolume("v1", MIB),
            c -> c.defineCopyGroup(null, OutOfSyncRegions.NONE),
            c -> c.defineCopyGroup(group("v1", "seattle"), null),
            c -> c.synchronizeCache("v1", Set.of(), null),
            c -> c.synchronizeCache("v1", Set.of(), Duration.ZERO),
            c -> c.copyGroupStatus("v2"),
            c -> {
              c.write("v1", 1, 0, null, false);
              return null;
            },
            c -> {
              c.registerExport("token", "v2", 1);
              return null;
            });
    for (var call : calls) {
      StorageException here = assertThrows(StorageException.class, () -> call.apply(local));
      StorageException there = assertThrows(StorageException.class, () -> call.apply(remote));
      assertEquals(here.reason(), there.reason(), here.getMessage());
      assertEquals(here.getMessage(), there.getMessage());
    }
  }

  @Test
  void malformedRequestsAreRefusedAndChangeNothing() throws Exception {
    local.createVolume("v1", MIB);
    local.defineCopyGroup(group("v1", "seattle"));
    try (Connection connection = factory().createConnection()) {
      Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
      Queue replies = session.createQueue(ControlQueues.replies("raw-test"));
      MessageConsumer answers = session.createConsumer(replies);
      connection.start();
      var requests = session.createProducer(session.createQueue(ControlQueues.requests("seattle")));

      // A write whose body stops after the volume id; an operation nobody knows; no operation.
      for (String op : new String[] {"WRITE", "FORMAT_EVERYTHING", null}) {
        BytesMessage request = session.createBytesMessage();
        request.writeInt(2);
        request.writeBytes("v1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (op != null) {
          request.setStringProperty("op", op);
        }
        request.setJMSCorrelationID("raw-" + op);
        request.setJMSReplyTo(replies);
        requests.send(request);
        Message answer = answers.receive(10_000);
        assertEquals("raw-" + op, answer.getJMSCorrelationID());
        assertFalse(answer.getBooleanProperty("ok"), "refused: " + op);
        assertEquals("INVALID_ARGUMENT", answer.getStringProperty("reason"));
        assertTrue(answer.getStringProperty("message").contains("malformed"));
      }

      // A write with a byte too many after its arguments; a request that is not bytes at all.
      BytesMessage tooLong = session.createBytesMessage();
      tooLong.writeBytes(
          CommandCodec.encode(new ControlCommand.Write("v1", 1, 0, new byte[] {1}, false)));
      tooLong.writeByte((byte) 0);
      Message text = session.createTextMessage("WRITE v1 0 everything");
      for (Message request : List.of(tooLong, text)) {
        request.setStringProperty("op", "WRITE");
        request.setJMSCorrelationID("raw-" + request.getClass().getSimpleName());
        request.setJMSReplyTo(replies);
        requests.send(request);
        Message answer = answers.receive(10_000);
        assertEquals(request.getJMSCorrelationID(), answer.getJMSCorrelationID());
        assertFalse(answer.getBooleanProperty("ok"));
        assertEquals("INVALID_ARGUMENT", answer.getStringProperty("reason"));
        assertTrue(answer.getStringProperty("message").contains("malformed"));
      }
    }
    assertArrayEquals(new byte[4096], local.read("v1", 1, 0, 4096));
  }

  @Test
  void aUnitThatDoesNotAnswerIsUnreachableAndTheExpiredRequestIsNeverCarriedOut() throws Exception {
    StorageConnection portland =
        new RemoteStorageConnection(
            client, "portland", Duration.ofMillis(300), Duration.ofSeconds(30));
    assertReason(Reason.UNREACHABLE, () -> portland.createVolume("late", MIB));

    Thread.sleep(400); // the request has expired in the queue
    try (StorageControlUnit unit = open("portland");
        StorageConnection there = unit.connect()) {
      ControlServer answering = ControlServer.start(factory(), unit.connect(), executor);
      try {
        StorageConnection patient =
            new RemoteStorageConnection(
                client, "portland", Duration.ofSeconds(10), Duration.ofSeconds(30));
        assertEquals(0, patient.status().volumes(), "the expired request was not carried out");
        assertTrue(there.volume("late").isEmpty());
      } finally {
        answering.stop(0);
      }
    }
  }

  @Test
  void aClosedConnectionRefusesCalls() {
    remote.close();
    local.close();
    for (StorageConnection closed : List.of(remote, local)) {
      assertReason(Reason.CLOSED, closed::status);
      // Whatever it is asked: a missing argument is not what the caller needs to hear.
      assertReason(Reason.CLOSED, () -> closed.write("v1", 1, 0, null, false));
    }
  }

  private StorageControlUnit open(String site) {
    return StorageControlUnit.open(
        new StorageControlUnitConfig(site, root.resolve(site), 8 * MIB, null, -1), executor);
  }

  private ConnectionFactory factory() {
    return new ActiveMQConnectionFactory("tcp://127.0.0.1:" + port);
  }

  static CopyVolumeGroupInfo group(String volume, String primary, String... others) {
    List<CopyGroupMember> members = new java.util.ArrayList<>();
    members.add(new CopyGroupMember(new RealVolumeAddress(primary, volume), true));
    for (String other : others) {
      members.add(new CopyGroupMember(new RealVolumeAddress(other, volume), false));
    }
    return new CopyVolumeGroupInfo(volume, TransferType.ASYNC, 1, members);
  }

  static void assertReason(Reason reason, Runnable call) {
    StorageException e = assertThrows(StorageException.class, call::run);
    assertEquals(reason, e.reason(), e.getMessage());
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
