package org.roamstore.storage.connector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ManagedConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.api.AnyStorageConnectionFactory;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageConnectionFactory;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.TransferType;

/** The shell against the real engine on a temporary directory, in a hand-made container. */
class StorageConnectorTest {
  private static final int MIB = 1024 * 1024;

  @TempDir Path dir;
  private TestContainer container;
  private StorageResourceAdapter adapter;

  @BeforeEach
  void startAdapter() throws Exception {
    container = new TestContainer();
    adapter = new StorageResourceAdapter();
    adapter.start(container.bootstrapContext);
  }

  @AfterEach
  void stopAdapter() {
    adapter.stop();
    container.close();
  }

  private StorageManagedConnectionFactory pool(String storageSystem) throws ResourceException {
    StorageManagedConnectionFactory mcf = new StorageManagedConnectionFactory();
    mcf.setStorageSystem(storageSystem);
    mcf.setDataDirectory(dir.resolve(storageSystem).toString());
    mcf.setCacheSizeMiB(4);
    mcf.setNbdPort(-1);
    mcf.setBrokerUrl(""); // no remote copy unless a test sets a broker
    mcf.setResourceAdapter(adapter);
    return mcf;
  }

  private static StorageConnectionFactory factory(
      StorageManagedConnectionFactory mcf, TestContainer.TestConnectionManager manager)
      throws ResourceException {
    return (StorageConnectionFactory) mcf.createConnectionFactory(manager);
  }

  private static void createPrimaryVolume(StorageConnection connection, String volumeId) {
    connection.createVolume(volumeId, MIB);
    connection.defineCopyGroup(
        new CopyVolumeGroupInfo(
            "group-" + volumeId,
            TransferType.SYNC,
            1,
            List.of(
                new CopyGroupMember(
                    new RealVolumeAddress(connection.storageSystem(), volumeId), true))));
  }

  @Test
  void readsWhatItWroteThroughAHandle() throws Exception {
    var manager = new TestContainer.TestConnectionManager();
    byte[] data = "written through the connector".getBytes(StandardCharsets.UTF_8);

    try (StorageConnection connection = factory(pool("seattle"), manager).getConnection()) {
      assertEquals("seattle", connection.storageSystem());
      createPrimaryVolume(connection, "vol1");
      connection.write("vol1", 1, 4096, data, true);
      assertArrayEquals(data, connection.read("vol1", 1, 4096, data.length));
      assertEquals(1, connection.volumes().size());
    }
  }

  @Test
  void theNbdFrontEndRunsOnTheContainersThreads() throws Exception {
    StorageManagedConnectionFactory mcf = pool("seattle");
    mcf.setNbdPort(0);

    try (StorageConnection connection =
            factory(mcf, new TestContainer.TestConnectionManager()).getConnection();
        Socket client = new Socket()) {
      int port = connection.status().nbdPort();
      assertTrue(port > 0, "NBD port " + port);
      client.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      assertTrue(client.isConnected());
    }
    assertTrue(container.worksScheduled.get() > 0, "no work reached the work manager");
  }

  @Test
  void closedHandleIsDeadAndTheContainerHearsOfIt() throws Exception {
    var manager = new TestContainer.TestConnectionManager();
    StorageConnection handle = factory(pool("seattle"), manager).getConnection();

    handle.close();

    assertEquals(1, manager.events.size());
    ConnectionEvent event = manager.events.get(0);
    assertEquals(ConnectionEvent.CONNECTION_CLOSED, event.getId());
    assertSame(handle, event.getConnectionHandle());
    assertSame(manager.created.get(0), event.getSource());
    StorageException e = assertThrows(StorageException.class, handle::volumes);
    assertEquals(StorageException.Reason.CLOSED, e.reason());
    assertEquals(
        StorageException.Reason.CLOSED,
        assertThrows(StorageException.class, handle::storageSystem).reason());
    handle.close(); // a second close neither fails nor tells the container twice
    assertEquals(1, manager.events.size());
  }

  @Test
  void aUnitInThisServerAnswersWithoutItsBroker() throws Exception {
    StorageManagedConnectionFactory mcf = pool("seattle");
    mcf.setBrokerUrl("tcp://127.0.0.1:" + unusedPort()); // nothing listens: the broker is away
    mcf.setControlTimeoutMillis(500);
    byte[] data = "no broker between the directory and this site".getBytes(StandardCharsets.UTF_8);

    // Through the control path each of these calls would fail UNREACHABLE after 500 ms.
    try (StorageConnection connection =
        factory(mcf, new TestContainer.TestConnectionManager()).getConnection()) {
      createPrimaryVolume(connection, "local");
      connection.registerExport("export-local", "local", 1);
      connection.write("local", 1, 0, data, true);
      assertArrayEquals(data, connection.read("local", 1, 0, data.length));
      assertEquals(1, connection.volumes().size());
    }
  }

  private static int unusedPort() throws Exception {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void thePoolReusesAClosedConnection() throws Exception {
    var manager = new TestContainer.TestConnectionManager();
    StorageConnectionFactory factory = factory(pool("seattle"), manager);

    StorageConnection first = factory.getConnection();
    first.close();
    StorageConnection second = factory.getConnection();

    assertNotSame(first, second);
    assertEquals(1, manager.created.size());
    assertEquals("seattle", second.storageSystem());
    second.close();
  }

  @Test
  void matchComparesTheRequest() throws Exception {
    StorageManagedConnectionFactory mcf = pool("seattle");
    var seattle = new StorageConnectionRequestInfo("seattle");
    ManagedConnection connection = mcf.createManagedConnection(null, seattle);

    assertSame(connection, mcf.matchManagedConnections(Set.of(connection), null, seattle));
    assertNull(
        mcf.matchManagedConnections(
            Set.of(connection), null, new StorageConnectionRequestInfo("portland")));
    assertNull(mcf.matchManagedConnections(Set.of(connection), null, null));
    assertNull(pool("portland").matchManagedConnections(Set.of(connection), null, seattle));

    connection.destroy();
    assertNull(mcf.matchManagedConnections(Set.of(connection), null, seattle));
  }

  @Test
  void aPoolRefusesARequestForAnotherStorageSystem() throws Exception {
    assertThrows(
        ResourceException.class,
        () ->
            pool("seattle")
                .createManagedConnection(null, new StorageConnectionRequestInfo("portland")));
  }

  @Test
  void aPoolForAnyStorageSystemReachesEachNamedOneThroughTheBrokerKeepingThemApart()
      throws Exception {
    StorageManagedConnectionFactory mcf = pool("seattle");
    mcf.setHosted(false);
    mcf.setAnyStorageSystem(true);
    mcf.setBrokerUrl("tcp://127.0.0.1:" + unusedPort()); // nothing listens: the broker is away
    mcf.setControlTimeoutMillis(300);
    var manager = new TestContainer.TestConnectionManager();
    AnyStorageConnectionFactory factory =
        (AnyStorageConnectionFactory) mcf.createConnectionFactory(manager);

    try (StorageConnection boise = factory.getConnection("boise")) {
      assertEquals("boise", boise.storageSystem());
      // The control path, not a unit in this JVM: with its broker away, a call is UNREACHABLE.
      StorageException away = assertThrows(StorageException.class, boise::volumes);
      assertEquals(StorageException.Reason.UNREACHABLE, away.reason());
    }
    try (StorageConnection boise = factory.getConnection("boise");
        StorageConnection reno = factory.getConnection("reno")) {
      assertEquals("reno", reno.storageSystem());
      assertEquals("boise", boise.storageSystem());
    }
    assertEquals(2, manager.created.size(), "one connection per system, the closed one reused");
    assertThrows(StorageException.class, () -> factory.getConnection("../etc"));
  }

  @Test
  void onlyANonHostedPoolReachesOtherStorageSystemsByName() throws Exception {
    AnyStorageConnectionFactory fixed =
        (AnyStorageConnectionFactory)
            pool("seattle").createConnectionFactory(new TestContainer.TestConnectionManager());
    StorageException refused =
        assertThrows(StorageException.class, () -> fixed.getConnection("portland"));
    assertEquals(StorageException.Reason.INVALID_ARGUMENT, refused.reason());
    try (StorageConnection own = fixed.getConnection("seattle")) {
      assertEquals("seattle", own.storageSystem());
    }

    StorageManagedConnectionFactory hosted = pool("seattle");
    hosted.setAnyStorageSystem(true);
    assertThrows(
        ResourceException.class,
        () -> hosted.createManagedConnection(null, new StorageConnectionRequestInfo("portland")));
  }

  @Test
  void poolsOfOneStorageSystemShareOneControlUnit() throws Exception {
    StorageConnectionFactory first =
        factory(pool("seattle"), new TestContainer.TestConnectionManager());
    StorageManagedConnectionFactory secondPool = pool("seattle");
    secondPool.setCacheSizeMiB(4);
    StorageConnectionFactory second =
        factory(secondPool, new TestContainer.TestConnectionManager());
    byte[] data = {1, 2, 3, 4};

    try (StorageConnection a = first.getConnection();
        StorageConnection b = second.getConnection()) {
      createPrimaryVolume(a, "shared");
      a.write("shared", 1, 0, data, false);
      // not flushed: only the same control unit (the same cache) can see it already
      assertArrayEquals(data, b.read("shared", 1, 0, data.length));
    }
    assertEquals(1, adapter.openControlUnits());

    try (StorageConnection c =
        factory(pool("portland"), new TestContainer.TestConnectionManager()).getConnection()) {
      assertTrue(c.volumes().isEmpty());
    }
    assertEquals(2, adapter.openControlUnits());
  }

  @Test
  void poolsThatDisagreeAboutOneStorageSystemAreRefused() throws Exception {
    factory(pool("seattle"), new TestContainer.TestConnectionManager()).getConnection().close();
    StorageManagedConnectionFactory other = pool("seattle");
    other.setDataDirectory(dir.resolve("elsewhere").toString());

    ResourceException e =
        assertThrows(ResourceException.class, () -> other.createManagedConnection(null, null));
    assertTrue(e.getMessage().contains("already open"), e.getMessage());
    assertEquals(1, adapter.openControlUnits());
  }

  @Test
  void cleanupKillsHandlesStillHeld() throws Exception {
    ManagedConnection connection = pool("seattle").createManagedConnection(null, null);
    StorageConnection handle = (StorageConnection) connection.getConnection(null, null);
    assertEquals("seattle", handle.storageSystem());

    connection.cleanup();

    assertEquals(
        StorageException.Reason.CLOSED,
        assertThrows(StorageException.class, handle::volumes).reason());
    StorageConnection fresh = (StorageConnection) connection.getConnection(null, null);
    assertEquals("seattle", fresh.storageSystem());
  }

  @Test
  void aHandleCanMoveToAnotherManagedConnection() throws Exception {
    StorageManagedConnectionFactory mcf = pool("seattle");
    var from = new TestContainer.TestConnectionManager();
    var to = new TestContainer.TestConnectionManager();
    ManagedConnection first = mcf.createManagedConnection(null, null);
    ManagedConnection second = mcf.createManagedConnection(null, null);
    first.addConnectionEventListener(from);
    second.addConnectionEventListener(to);
    StorageConnectionHandle handle = (StorageConnectionHandle) first.getConnection(null, null);

    second.associateConnection(handle);
    handle.close();

    assertTrue(from.events.isEmpty());
    assertEquals(1, to.events.size());
    assertSame(second, to.events.get(0).getSource());
    assertThrows(ResourceException.class, () -> first.associateConnection(handle));
    Object live = first.getConnection(null, null);
    ManagedConnection portland = pool("portland").createManagedConnection(null, null);
    assertThrows(ResourceException.class, () -> portland.associateConnection(live));
  }

  @Test
  void aRefusedRequestLeavesTheConnectionHealthy() throws Exception {
    var manager = new TestContainer.TestConnectionManager();
    try (StorageConnection connection = factory(pool("seattle"), manager).getConnection()) {
      StorageException e =
          assertThrows(StorageException.class, () -> connection.read("missing", 1, 0, 512));
      assertTrue(e.reason() != StorageException.Reason.IO_ERROR, e.toString());
      assertTrue(manager.events.isEmpty());
    }
    assertTrue(manager.destroyed.isEmpty());
  }

  @Test
  void aControlUnitGoneUnderneathIsAConnectionError() throws Exception {
    var manager = new TestContainer.TestConnectionManager();
    StorageConnection connection = factory(pool("seattle"), manager).getConnection();
    connection.volumes();

    adapter.stop();

    assertThrows(RuntimeException.class, connection::volumes);
    assertEquals(1, manager.events.size());
    assertEquals(ConnectionEvent.CONNECTION_ERROR_OCCURRED, manager.events.get(0).getId());
    assertEquals(manager.created, manager.destroyed);
  }

  @Test
  void stopFlushesAndAnotherStartFindsTheData() throws Exception {
    byte[] data = "kept across a restart".getBytes(StandardCharsets.UTF_8);
    try (StorageConnection connection =
        factory(pool("seattle"), new TestContainer.TestConnectionManager()).getConnection()) {
      createPrimaryVolume(connection, "durable");
      connection.write("durable", 1, 0, data, false);
    }
    adapter.stop();
    assertEquals(0, adapter.openControlUnits());

    adapter = new StorageResourceAdapter();
    adapter.start(container.bootstrapContext);
    try (StorageConnection connection =
        factory(pool("seattle"), new TestContainer.TestConnectionManager()).getConnection()) {
      assertArrayEquals(data, connection.read("durable", 1, 0, data.length));
    }
  }

  @Test
  void aStoppedAdapterOpensNothing() throws Exception {
    StorageManagedConnectionFactory mcf = pool("seattle");
    adapter.stop();

    assertThrows(ResourceException.class, () -> mcf.createManagedConnection(null, null));
    assertEquals(0, adapter.openControlUnits());
  }

  @Test
  void transactionsAreRefusedAndMetaDataNamesTheSystem() throws Exception {
    ManagedConnection connection = pool("portland").createManagedConnection(null, null);

    assertThrows(NotSupportedException.class, connection::getLocalTransaction);
    assertThrows(NotSupportedException.class, connection::getXAResource);
    assertTrue(connection.getMetaData().getEISProductName().endsWith("portland"));
    assertEquals(0, connection.getMetaData().getMaxConnections());
    connection.destroy();
    assertThrows(ResourceException.class, () -> connection.getConnection(null, null));
  }

  @Test
  void theAdapterNeedsAWorkManager() {
    assertThrows(ResourceException.class, () -> new StorageResourceAdapter().start(null));
  }
}
