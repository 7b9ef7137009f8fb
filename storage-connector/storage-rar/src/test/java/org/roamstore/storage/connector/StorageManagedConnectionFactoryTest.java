package org.roamstore.storage.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.resource.NotSupportedException;
import jakarta.resource.Referenceable;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.TransactionSupport.TransactionSupportLevel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.api.NbdTlsMode;
import org.roamstore.storage.engine.StorageControlUnitConfig;

class StorageManagedConnectionFactoryTest {

  @Test
  void defaultsGiveASiteUnderTheWorkingDirectory() throws Exception {
    StorageControlUnitConfig config = new StorageManagedConnectionFactory().config();

    assertEquals("site1", config.storageSystem());
    assertEquals(Path.of("data", "storage", "site1").toAbsolutePath(), config.dataDirectory());
    assertEquals(256L * 1024 * 1024, config.cacheBytes());
    assertEquals("127.0.0.1", config.nbdHost());
    assertEquals(10809, config.nbdPort());
    assertEquals(NbdTlsMode.OFF, config.nbdTls());
  }

  @Test
  void nbdTlsTakesItsModeInAnyCaseAndDefaultsItsDirectoryIntoTheDataDirectory() throws Exception {
    StorageManagedConnectionFactory mcf = new StorageManagedConnectionFactory();
    mcf.setStorageSystem("seattle");
    mcf.setNbdTls("Required");
    StorageControlUnitConfig config = mcf.config();
    assertEquals(NbdTlsMode.REQUIRED, config.nbdTls());
    assertEquals(
        Path.of("data", "storage", "seattle", "tls").toAbsolutePath(), config.nbdTlsDirectory());
    mcf.setNbdTlsDirectory("/etc/roamstore/nbd");
    assertEquals(Path.of("/etc/roamstore/nbd"), mcf.config().nbdTlsDirectory());
  }

  @Test
  void emptyDataDirectoryFollowsTheStorageSystem() throws Exception {
    StorageManagedConnectionFactory mcf = new StorageManagedConnectionFactory();
    mcf.setStorageSystem("seattle");
    mcf.setDataDirectory(" ");

    assertEquals(
        Path.of("data", "storage", "seattle").toAbsolutePath(), mcf.config().dataDirectory());
  }

  @Test
  void explicitDataDirectoryIsUsedAsGiven(@TempDir Path dir) throws Exception {
    StorageManagedConnectionFactory mcf = new StorageManagedConnectionFactory();
    mcf.setDataDirectory(dir.resolve("x/../portland").toString());

    assertEquals(dir.resolve("portland"), mcf.config().dataDirectory());
  }

  @Test
  void badPropertiesAreRefusedNamingTheProperty() {
    assertRefused("StorageSystem", mcf -> mcf.setStorageSystem("../etc"));
    assertRefused("StorageSystem", mcf -> mcf.setStorageSystem(null));
    assertRefused("CacheSizeMiB", mcf -> mcf.setCacheSizeMiB(0));
    assertRefused("NbdHost", mcf -> mcf.setNbdHost(""));
    assertRefused("NbdPort", mcf -> mcf.setNbdPort(65536));
    assertRefused("NbdPort", mcf -> mcf.setNbdPort(-2));
    assertRefused("NbdTls", mcf -> mcf.setNbdTls("on"));
    assertRefused("NbdTls", mcf -> mcf.setNbdTls(null));
    assertRefused("BrokerUrl", mcf -> mcf.setBrokerUrl("127.0.0.1:61616"));
    assertRefused("SyncTimeoutMillis", mcf -> mcf.setSyncTimeoutMillis(0));
    assertRefused("DrainTimeoutMillis", mcf -> mcf.setDrainTimeoutMillis(null));
    assertRefused("BacklogWaitMillis", mcf -> mcf.setBacklogWaitMillis(0));
    assertRefused("ResyncMibPerSecond", mcf -> mcf.setResyncMibPerSecond(-1));
  }

  @Test
  void brokerClientPropertiesOthersMayReadAreRefused(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("broker-client.properties");
    Files.writeString(file, "user=seattle\npassword=site-secret\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertRefused("BrokerClientProperties", mcf -> mcf.setBrokerClientProperties(file.toString()));
    assertRefused(
        "BrokerClientProperties",
        mcf -> mcf.setBrokerClientProperties(dir.resolve("missing").toString()));

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    StorageManagedConnectionFactory mcf = new StorageManagedConnectionFactory();
    mcf.setBrokerClientProperties(file.toString());
    assertEquals(file.toString(), mcf.remoteCopy().clientProperties());
  }

  @Test
  void theResyncRateReachesRemoteCopy() throws Exception {
    StorageManagedConnectionFactory mcf = new StorageManagedConnectionFactory();
    assertEquals(0, mcf.remoteCopy().settings().resyncBytesPerSecond(), "no limit by default");
    mcf.setResyncMibPerSecond(64);
    assertEquals(64L << 20, mcf.remoteCopy().settings().resyncBytesPerSecond());
  }

  private static void assertRefused(
      String property, Consumer<StorageManagedConnectionFactory> set) {
    StorageManagedConnectionFactory mcf = new StorageManagedConnectionFactory();
    set.accept(mcf);
    InvalidPropertyException e = assertThrows(InvalidPropertyException.class, mcf::config);
    assertTrue(e.getMessage().contains(property), e.getMessage());
    assertThrows(
        InvalidPropertyException.class,
        () -> mcf.createConnectionFactory(new TestContainer.TestConnectionManager()));
  }

  @Test
  void portsMinusOneAndZeroAreAccepted() throws Exception {
    StorageManagedConnectionFactory mcf = new StorageManagedConnectionFactory();
    mcf.setNbdPort(-1);
    assertEquals(-1, mcf.config().nbdPort());
    mcf.setNbdPort(0);
    assertEquals(0, mcf.config().nbdPort());
  }

  @Test
  void equalityFollowsEveryConfigProperty() {
    StorageManagedConnectionFactory a = new StorageManagedConnectionFactory();
    StorageManagedConnectionFactory b = new StorageManagedConnectionFactory();
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());

    List<Consumer<StorageManagedConnectionFactory>> changes =
        List.of(
            mcf -> mcf.setStorageSystem("seattle"),
            mcf -> mcf.setDataDirectory("/srv/storage"),
            mcf -> mcf.setCacheSizeMiB(512),
            mcf -> mcf.setNbdHost("0.0.0.0"),
            mcf -> mcf.setNbdPort(10810),
            mcf -> mcf.setNbdTls("optional"),
            mcf -> mcf.setNbdTlsDirectory("/etc/roamstore/nbd"),
            mcf -> mcf.setBrokerUrl("tcp://broker:61617"),
            mcf -> mcf.setBrokerClientProperties("/etc/roamstore/broker-client.properties"),
            mcf -> mcf.setSyncTimeoutMillis(100),
            mcf -> mcf.setDrainTimeoutMillis(100),
            mcf -> mcf.setBacklogWaitMillis(100),
            mcf -> mcf.setResyncMibPerSecond(64),
            mcf -> mcf.setAnyStorageSystem(true));
    for (Consumer<StorageManagedConnectionFactory> change : changes) {
      StorageManagedConnectionFactory changed = new StorageManagedConnectionFactory();
      change.accept(changed);
      assertNotEquals(a, changed);
      StorageManagedConnectionFactory same = new StorageManagedConnectionFactory();
      change.accept(same);
      assertEquals(same, changed);
      assertEquals(same.hashCode(), changed.hashCode());
    }
  }

  @Test
  void nonManagedUseIsRefused() {
    assertThrows(
        NotSupportedException.class,
        () -> new StorageManagedConnectionFactory().createConnectionFactory());
  }

  @Test
  void managedFactoryIsReferenceableAndSerializable() throws Exception {
    StorageManagedConnectionFactory mcf = new StorageManagedConnectionFactory();
    mcf.setStorageSystem("portland");
    Object factory = mcf.createConnectionFactory(new TestContainer.TestConnectionManager());

    assertInstanceOf(StorageConnectionFactoryImpl.class, factory);
    assertInstanceOf(Referenceable.class, factory);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(factory);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertEquals(factory.toString(), in.readObject().toString());
    }
  }

  @Test
  void matchReturnsNullWhenNothingMatches() throws Exception {
    StorageManagedConnectionFactory mcf = new StorageManagedConnectionFactory();
    assertNull(mcf.matchManagedConnections(Set.of(), null, null));
    assertNull(
        mcf.matchManagedConnections(
            Set.of("not a managed connection"), null, new StorageConnectionRequestInfo("site1")));
  }

  @Test
  void foreignRequestInfoIsRefused() {
    ConnectionRequestInfo foreign = new ConnectionRequestInfo() {};
    assertThrows(
        NotSupportedException.class,
        () ->
            new StorageManagedConnectionFactory().matchManagedConnections(Set.of(), null, foreign));
  }

  @Test
  void requestInfoEqualityIsByStorageSystem() {
    assertEquals(
        new StorageConnectionRequestInfo("seattle"), new StorageConnectionRequestInfo("seattle"));
    assertNotEquals(
        new StorageConnectionRequestInfo("seattle"), new StorageConnectionRequestInfo("portland"));
  }

  @Test
  void storageIsNotTransactional() {
    assertEquals(
        TransactionSupportLevel.NoTransaction,
        new StorageManagedConnectionFactory().getTransactionSupport());
  }

  @Test
  void connectingWithoutTheAdapterIsRefused() {
    ResourceException e =
        assertThrows(
            ResourceException.class,
            () -> new StorageManagedConnectionFactory().createManagedConnection(null, null));
    assertTrue(e.getMessage().contains("not associated"), e.getMessage());
  }

  @Test
  void onlyTheStorageAdapterCanBeAssociated() throws Exception {
    StorageManagedConnectionFactory mcf = new StorageManagedConnectionFactory();
    ResourceAdapter other =
        (ResourceAdapter)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {ResourceAdapter.class},
                (p, m, a) -> null);
    assertThrows(ResourceException.class, () -> mcf.setResourceAdapter(other));

    StorageResourceAdapter adapter = new StorageResourceAdapter();
    mcf.setResourceAdapter(adapter);
    mcf.setResourceAdapter(adapter); // the same one again is harmless
    assertThrows(
        ResourceException.class, () -> mcf.setResourceAdapter(new StorageResourceAdapter()));
    assertEquals(adapter, mcf.getResourceAdapter());
  }
}
