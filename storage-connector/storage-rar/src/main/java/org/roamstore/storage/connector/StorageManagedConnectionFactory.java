package org.roamstore.storage.connector;

import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConfigProperty;
import jakarta.resource.spi.ConnectionDefinition;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterAssociation;
import jakarta.resource.spi.TransactionSupport;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import javax.security.auth.Subject;
import org.roamstore.storage.api.Names;
import org.roamstore.storage.api.NbdTlsMode;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageConnectionFactory;
import org.roamstore.storage.control.CommandConnection;
import org.roamstore.storage.control.RemoteStorageConnection;
import org.roamstore.storage.engine.StorageControlUnit;
import org.roamstore.storage.engine.StorageControlUnitConfig;
import org.roamstore.storage.replication.RemoteCopySettings;

/**
 * One storage control unit as the container sees it: the properties of a connector connection pool
 * name the storage system and how to open it. Pools with the same {@code StorageSystem} share the
 * adapter's one open control unit.
 *
 * <p>Transactions: none. A write lands in the control unit's cache (and, for SYNC copy groups, at
 * every secondary) the moment it is issued; there is nothing to prepare and no way to undo it, so
 * taking part in a JTA transaction would promise an atomicity storage cannot keep. Consistency
 * across sites comes from copy group epochs instead, which the directory moves inside its own
 * transaction.
 */
@ConnectionDefinition(
    connectionFactory = StorageConnectionFactory.class,
    connectionFactoryImpl = StorageConnectionFactoryImpl.class,
    connection = StorageConnection.class,
    connectionImpl = StorageConnectionHandle.class)
public class StorageManagedConnectionFactory
    implements ManagedConnectionFactory, ResourceAdapterAssociation, TransactionSupport {
  private static final long serialVersionUID = 1L;

  static final String DEFAULT_STORAGE_SYSTEM = "site1";
  static final String DEFAULT_DATA_ROOT = "data/storage";
  static final int DEFAULT_CACHE_SIZE_MIB = 256;
  static final String DEFAULT_NBD_HOST = "127.0.0.1";
  static final int DEFAULT_NBD_PORT = 10809;
  static final String DEFAULT_NBD_TLS = "off";
  static final String DEFAULT_BROKER_URL = "tcp://127.0.0.1:61616";
  static final int DEFAULT_SYNC_TIMEOUT_MILLIS = 5_000;
  static final int DEFAULT_DRAIN_TIMEOUT_MILLIS = 60_000;
  static final int DEFAULT_BACKLOG_WAIT_MILLIS = 30_000;
  static final int DEFAULT_CONTROL_TIMEOUT_MILLIS = 5_000;

  private String storageSystem = DEFAULT_STORAGE_SYSTEM;
  private String dataDirectory = "";
  private Integer cacheSizeMiB = DEFAULT_CACHE_SIZE_MIB;
  private String nbdHost = DEFAULT_NBD_HOST;
  private Integer nbdPort = DEFAULT_NBD_PORT;
  private String nbdTls = DEFAULT_NBD_TLS;
  private String nbdTlsDirectory = "";
  private String brokerUrl = DEFAULT_BROKER_URL;
  private String brokerClientProperties = "";
  private Integer syncTimeoutMillis = DEFAULT_SYNC_TIMEOUT_MILLIS;
  private Integer drainTimeoutMillis = DEFAULT_DRAIN_TIMEOUT_MILLIS;
  private Integer backlogWaitMillis = DEFAULT_BACKLOG_WAIT_MILLIS;
  private Integer resyncMibPerSecond = 0;
  private Boolean hosted = Boolean.TRUE;
  private String localSite = "";
  private Boolean anyStorageSystem = Boolean.FALSE;
  private Integer controlTimeoutMillis = DEFAULT_CONTROL_TIMEOUT_MILLIS;

  private transient StorageResourceAdapter resourceAdapter;
  private transient PrintWriter logWriter;

  public String getStorageSystem() {
    return storageSystem;
  }

  @ConfigProperty(
      type = String.class,
      defaultValue = DEFAULT_STORAGE_SYSTEM,
      description =
          "Id of the storage system (one per data center) this pool reaches; letters, digits, '.',"
              + " '_' and '-'. Pools with the same id share one control unit.")
  public void setStorageSystem(String storageSystem) {
    this.storageSystem = storageSystem;
  }

  public String getDataDirectory() {
    return dataDirectory;
  }

  @ConfigProperty(
      type = String.class,
      defaultValue = "",
      description =
          "Directory of the volume files and copy group information. Empty means"
              + " data/storage/<StorageSystem>; a relative path is resolved against the server's"
              + " working directory.")
  public void setDataDirectory(String dataDirectory) {
    this.dataDirectory = dataDirectory;
  }

  public Integer getCacheSizeMiB() {
    return cacheSizeMiB;
  }

  @ConfigProperty(
      type = Integer.class,
      defaultValue = "" + DEFAULT_CACHE_SIZE_MIB,
      description = "Size of the control unit's write-back cache memory in MiB (at least 1).")
  public void setCacheSizeMiB(Integer cacheSizeMiB) {
    this.cacheSizeMiB = cacheSizeMiB;
  }

  public String getNbdHost() {
    return nbdHost;
  }

  @ConfigProperty(
      type = String.class,
      defaultValue = DEFAULT_NBD_HOST,
      description = "Address the NBD front end listens on; 0.0.0.0 for every interface.")
  public void setNbdHost(String nbdHost) {
    this.nbdHost = nbdHost;
  }

  public Integer getNbdPort() {
    return nbdPort;
  }

  @ConfigProperty(
      type = Integer.class,
      defaultValue = "" + DEFAULT_NBD_PORT,
      description =
          "TCP port of the NBD front end; 0 picks a free port, -1 turns the front end off. Give"
              + " every storage system of one server its own port.")
  public void setNbdPort(Integer nbdPort) {
    this.nbdPort = nbdPort;
  }

  public String getNbdTls() {
    return nbdTls;
  }

  @ConfigProperty(
      type = String.class,
      defaultValue = DEFAULT_NBD_TLS,
      description =
          "TLS on the NBD front end (NBD_OPT_STARTTLS): off; optional (TLS for clients that ask);"
              + " required (nothing but STARTTLS and ABORT before TLS).")
  public void setNbdTls(String nbdTls) {
    this.nbdTls = nbdTls;
  }

  public String getNbdTlsDirectory() {
    return nbdTlsDirectory;
  }

  @ConfigProperty(
      type = String.class,
      defaultValue = "",
      description =
          "Directory of the NBD server's server-cert.pem and server-key.pem (owner-only), and of"
              + " client-ca-cert.pem if clients must present certificates. Empty means the tls"
              + " folder of the data directory.")
  public void setNbdTlsDirectory(String nbdTlsDirectory) {
    this.nbdTlsDirectory = nbdTlsDirectory;
  }

  public String getBrokerUrl() {
    return brokerUrl;
  }

  @ConfigProperty(
      type = String.class,
      defaultValue = DEFAULT_BROKER_URL,
      description =
          "Artemis broker that carries remote copy (write data and acknowledgements) between"
              + " storage systems, as an Artemis core URL; empty turns remote copy off.")
  public void setBrokerUrl(String brokerUrl) {
    this.brokerUrl = brokerUrl;
  }

  public String getBrokerClientProperties() {
    return brokerClientProperties;
  }

  @ConfigProperty(
      type = String.class,
      defaultValue = "",
      description =
          "Owner-only properties file of how this server logs in to BrokerUrl's broker: user and"
              + " password, and Artemis TLS transport parameters (sslEnabled, keyStorePath,"
              + " keyStorePassword, trustStorePath, trustStorePassword, verifyHost, ...). Empty: no"
              + " user, plain TCP unless BrokerUrl says otherwise.")
  public void setBrokerClientProperties(String brokerClientProperties) {
    this.brokerClientProperties = brokerClientProperties;
  }

  public Integer getSyncTimeoutMillis() {
    return syncTimeoutMillis;
  }

  @ConfigProperty(
      type = Integer.class,
      defaultValue = "" + DEFAULT_SYNC_TIMEOUT_MILLIS,
      description =
          "How long a SYNC write waits for a secondary before the copy group's policy applies"
              + " (mark it out of sync, or fail the write); at least 1.")
  public void setSyncTimeoutMillis(Integer syncTimeoutMillis) {
    this.syncTimeoutMillis = syncTimeoutMillis;
  }

  public Integer getDrainTimeoutMillis() {
    return drainTimeoutMillis;
  }

  @ConfigProperty(
      type = Integer.class,
      defaultValue = "" + DEFAULT_DRAIN_TIMEOUT_MILLIS,
      description =
          "How long the synchronize cache before a change of primary may take; at least 1.")
  public void setDrainTimeoutMillis(Integer drainTimeoutMillis) {
    this.drainTimeoutMillis = drainTimeoutMillis;
  }

  public Integer getBacklogWaitMillis() {
    return backlogWaitMillis;
  }

  @ConfigProperty(
      type = Integer.class,
      defaultValue = "" + DEFAULT_BACKLOG_WAIT_MILLIS,
      description =
          "How long writers are held back while a secondary's backlog not yet in the broker is"
              + " over its bound, before that secondary is marked out of sync (the broker is down"
              + " rather than slow); at least 1.")
  public void setBacklogWaitMillis(Integer backlogWaitMillis) {
    this.backlogWaitMillis = backlogWaitMillis;
  }

  public Integer getResyncMibPerSecond() {
    return resyncMibPerSecond;
  }

  @ConfigProperty(
      type = Integer.class,
      defaultValue = "0",
      description =
          "At most this many MiB per second copied to each secondary being resynced or getting"
              + " its first copy (a copy added online); 0 for no limit.")
  public void setResyncMibPerSecond(Integer resyncMibPerSecond) {
    this.resyncMibPerSecond = resyncMibPerSecond;
  }

  public Boolean getHosted() {
    return hosted;
  }

  @ConfigProperty(
      type = Boolean.class,
      defaultValue = "true",
      description =
          "true: this server runs the storage system's control unit (volume files, cache, NBD)."
              + " false: the unit runs at another site and this pool reaches it through BrokerUrl's"
              + " broker; the data and NBD properties are then not used.")
  public void setHosted(Boolean hosted) {
    this.hosted = hosted;
  }

  public String getLocalSite() {
    return localSite;
  }

  @ConfigProperty(
      type = String.class,
      defaultValue = "",
      description =
          "The site (data center) of this server, when each site has its own broker: answers to"
              + " this server's control requests come back over the brokers' bridges to it. Empty"
              + " when this server's broker serves no other server.")
  public void setLocalSite(String localSite) {
    this.localSite = localSite;
  }

  public Boolean getAnyStorageSystem() {
    return anyStorageSystem;
  }

  @ConfigProperty(
      type = Boolean.class,
      defaultValue = "false",
      description =
          "true (with Hosted false): a connection may name any storage system"
              + " (AnyStorageConnectionFactory), reached through BrokerUrl's broker as a pool of its"
              + " own would reach it; StorageSystem is then the default only. A server's route to"
              + " data centers added while it runs.")
  public void setAnyStorageSystem(Boolean anyStorageSystem) {
    this.anyStorageSystem = anyStorageSystem;
  }

  /** Whether connections may name another storage system than {@link #getStorageSystem()}. */
  boolean reachesAnyStorageSystem() {
    return Boolean.TRUE.equals(anyStorageSystem) && !hostsControlUnit();
  }

  public Integer getControlTimeoutMillis() {
    return controlTimeoutMillis;
  }

  @ConfigProperty(
      type = Integer.class,
      defaultValue = "" + DEFAULT_CONTROL_TIMEOUT_MILLIS,
      description =
          "How long a call on a connection waits for the control unit's answer before it fails"
              + " as unreachable (a cache synchronization waits its own timeout on top); at least"
              + " 1.")
  public void setControlTimeoutMillis(Integer controlTimeoutMillis) {
    this.controlTimeoutMillis = controlTimeoutMillis;
  }

  /** Whether the control unit runs in this server. */
  boolean hostsControlUnit() {
    return hosted == null || hosted;
  }

  /**
   * How connections reach a control unit that this server does not host: through the broker's
   * control queues. Null without a broker, where the unit must be hosted here.
   */
  ControlPathConfig controlPath() throws InvalidPropertyException {
    RemoteCopyConfig broker = remoteCopy();
    if (broker == null) {
      if (!hostsControlUnit()) {
        throw invalid("Hosted", "false needs a BrokerUrl to reach the control unit");
      }
      return null;
    }
    if (controlTimeoutMillis == null || controlTimeoutMillis < 1) {
      throw invalid("ControlTimeoutMillis", "must be at least 1, got " + controlTimeoutMillis);
    }
    String site = localSite == null ? "" : localSite.strip();
    if (!site.isEmpty() && !Names.isValid(site)) {
      throw invalid("LocalSite", "must be 1-128 letters, digits, '.', '_' or '-', got " + site);
    }
    return new ControlPathConfig(
        broker.brokerUrl(),
        broker.clientProperties(),
        site,
        Duration.ofMillis(controlTimeoutMillis),
        broker.settings().drainTimeout());
  }

  /**
   * Where control requests go and how long they wait; a copy group definition that demotes the unit
   * may drain for {@code drainTimeout} on top.
   */
  record ControlPathConfig(
      String brokerUrl,
      String clientProperties,
      String localSite,
      Duration timeout,
      Duration drainTimeout) {}

  /** Remote copy as configured, or null when {@code BrokerUrl} is empty. */
  RemoteCopyConfig remoteCopy() throws InvalidPropertyException {
    if (brokerUrl == null || brokerUrl.isBlank()) {
      return null;
    }
    if (!brokerUrl.strip().matches("[a-z]+://.+")) {
      throw invalid(
          "BrokerUrl", "must be a broker URL like tcp://127.0.0.1:61616, got " + brokerUrl);
    }
    if (syncTimeoutMillis == null || syncTimeoutMillis < 1) {
      throw invalid("SyncTimeoutMillis", "must be at least 1, got " + syncTimeoutMillis);
    }
    if (drainTimeoutMillis == null || drainTimeoutMillis < 1) {
      throw invalid("DrainTimeoutMillis", "must be at least 1, got " + drainTimeoutMillis);
    }
    if (backlogWaitMillis == null || backlogWaitMillis < 1) {
      throw invalid("BacklogWaitMillis", "must be at least 1, got " + backlogWaitMillis);
    }
    if (resyncMibPerSecond == null || resyncMibPerSecond < 0) {
      throw invalid(
          "ResyncMibPerSecond", "must be 0 (no limit) or more, got " + resyncMibPerSecond);
    }
    String clientProperties = brokerClientProperties == null ? "" : brokerClientProperties.strip();
    if (!clientProperties.isEmpty()) {
      try {
        BrokerConnections.load(Path.of(clientProperties));
      } catch (IllegalArgumentException e) {
        throw invalid("BrokerClientProperties", e.getMessage());
      }
    }
    RemoteCopySettings settings =
        RemoteCopySettings.DEFAULTS
            .withSyncTimeout(Duration.ofMillis(syncTimeoutMillis))
            .withDrainTimeout(Duration.ofMillis(drainTimeoutMillis));
    return new RemoteCopyConfig(
        brokerUrl.strip(),
        clientProperties,
        settings
            .withBacklog(settings.maxBacklogBytes(), Duration.ofMillis(backlogWaitMillis))
            .withResyncRate((long) resyncMibPerSecond << 20));
  }

  /** What remote copy of a control unit is opened with; compared when pools share a unit. */
  record RemoteCopyConfig(String brokerUrl, String clientProperties, RemoteCopySettings settings) {}

  /**
   * The engine's configuration from these properties, checked here at the boundary so that a bad
   * pool property fails with a message naming the property.
   */
  StorageControlUnitConfig config() throws InvalidPropertyException {
    controlPath(); // checked with the rest, so a bad pool fails at once
    if (!Names.isValid(storageSystem)) {
      throw invalid(
          "StorageSystem",
          "must be 1-128 letters, digits, '.', '_' or '-', got '" + storageSystem + "'");
    }
    Path directory;
    try {
      directory =
          (dataDirectory == null || dataDirectory.isBlank()
                  ? Path.of(DEFAULT_DATA_ROOT, storageSystem)
                  : Path.of(dataDirectory.strip()))
              .toAbsolutePath()
              .normalize();
    } catch (InvalidPathException e) {
      throw invalid("DataDirectory", "is not a path: " + e.getMessage());
    }
    if (cacheSizeMiB == null || cacheSizeMiB < 1) {
      throw invalid("CacheSizeMiB", "must be at least 1, got " + cacheSizeMiB);
    }
    if (nbdHost == null || nbdHost.isBlank()) {
      throw invalid("NbdHost", "must name an address, e.g. 127.0.0.1");
    }
    if (nbdPort == null || nbdPort < -1 || nbdPort > 65535) {
      throw invalid("NbdPort", "must be -1 (off), 0 (any free port) or 1-65535, got " + nbdPort);
    }
    NbdTlsMode tls = NbdTlsMode.parse(nbdTls);
    if (tls == null) {
      throw invalid("NbdTls", "must be off, optional or required, got '" + nbdTls + "'");
    }
    Path tlsDirectory;
    try {
      tlsDirectory =
          nbdTlsDirectory == null || nbdTlsDirectory.isBlank()
              ? directory.resolve("tls")
              : Path.of(nbdTlsDirectory.strip()).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw invalid("NbdTlsDirectory", "is not a path: " + e.getMessage());
    }
    return new StorageControlUnitConfig(
        storageSystem,
        directory,
        cacheSizeMiB * 1024L * 1024L,
        nbdHost.strip(),
        nbdPort,
        tls,
        tlsDirectory);
  }

  private static InvalidPropertyException invalid(String property, String problem) {
    return new InvalidPropertyException("storage connector property " + property + " " + problem);
  }

  @Override
  public Object createConnectionFactory(ConnectionManager connectionManager)
      throws ResourceException {
    config(); // refuse a bad pool when it is created, not at its first use
    return new StorageConnectionFactoryImpl(this, connectionManager);
  }

  /**
   * Refused: outside a container, the engine's own {@link StorageConnectionFactory} does the same
   * job without a connector, and a control unit opened here would live outside the adapter's
   * lifecycle and threads.
   */
  @Override
  public Object createConnectionFactory() throws ResourceException {
    throw new NotSupportedException(
        "the storage connector runs only under a container's connection manager; outside a"
            + " container use the storage engine's StorageControlUnit directly");
  }

  /**
   * Opens (or joins) the control unit and a connection to it. The storage has no users of its own,
   * so a container-provided subject is not used: access is granted by the directory per volume and
   * epoch.
   */
  @Override
  public ManagedConnection createManagedConnection(
      Subject subject, ConnectionRequestInfo requestInfo) throws ResourceException {
    StorageConnectionRequestInfo info = requestInfo(requestInfo);
    StorageControlUnitConfig config = config();
    if (Boolean.TRUE.equals(anyStorageSystem) && hostsControlUnit()) {
      throw invalid(
          "AnyStorageSystem", "true needs Hosted false: a hosted unit is one storage system");
    }
    String target = info == null ? config.storageSystem() : info.storageSystem();
    if (!target.equals(config.storageSystem()) && !reachesAnyStorageSystem()) {
      throw new ResourceException(
          "a pool of storage system "
              + config.storageSystem()
              + " cannot connect to "
              + info.storageSystem());
    }
    StorageResourceAdapter adapter = adapter();
    StorageControlUnit unit = hostsControlUnit() ? adapter.controlUnit(config, remoteCopy()) : null;
    ControlPathConfig controlPath = controlPath();
    CommandConnection engine;
    try {
      // A unit in this server is called directly: the control path through the broker would add
      // two message round trips to every call (a login's export, each step of a switch) and
      // make this site's own storage depend on its broker. Units elsewhere take the control path.
      engine =
          unit != null
              ? unit.connect()
              : new RemoteStorageConnection(
                  adapter.controlClient(
                      controlPath.brokerUrl(),
                      controlPath.clientProperties(),
                      controlPath.localSite()),
                  target,
                  controlPath.timeout(),
                  controlPath.drainTimeout());
    } catch (RuntimeException e) {
      throw new ResourceException("cannot connect to storage control unit " + target, e);
    }
    return new StorageManagedConnection(this, engine, info);
  }

  @Override
  @SuppressWarnings("rawtypes")
  public ManagedConnection matchManagedConnections(
      Set connectionSet, Subject subject, ConnectionRequestInfo requestInfo)
      throws ResourceException {
    StorageConnectionRequestInfo info = requestInfo(requestInfo);
    for (Object candidate : connectionSet) {
      if (candidate instanceof StorageManagedConnection connection
          && connection.matches(this, info)) {
        return connection;
      }
    }
    return null;
  }

  private static StorageConnectionRequestInfo requestInfo(ConnectionRequestInfo requestInfo)
      throws ResourceException {
    if (requestInfo == null || requestInfo instanceof StorageConnectionRequestInfo) {
      return (StorageConnectionRequestInfo) requestInfo;
    }
    throw new NotSupportedException(
        "not a storage connection request: " + requestInfo.getClass().getName());
  }

  StorageConnectionRequestInfo defaultRequestInfo() {
    return new StorageConnectionRequestInfo(storageSystem);
  }

  private StorageResourceAdapter adapter() throws ResourceException {
    StorageResourceAdapter adapter = resourceAdapter;
    if (adapter == null) {
      throw new ResourceException(
          "storage connection factory "
              + storageSystem
              + " is not associated with the storage resource adapter");
    }
    return adapter;
  }

  @Override
  public ResourceAdapter getResourceAdapter() {
    return resourceAdapter;
  }

  /** Called once by the container; the association must not change afterwards (JCA 5.3.2). */
  @Override
  public void setResourceAdapter(ResourceAdapter adapter) throws ResourceException {
    if (!(adapter instanceof StorageResourceAdapter storageAdapter)) {
      throw new ResourceException(
          "a storage connection factory needs the storage resource adapter, got " + adapter);
    }
    if (resourceAdapter != null && resourceAdapter != storageAdapter) {
      throw new jakarta.resource.spi.IllegalStateException(
          "storage connection factory " + storageSystem + " is already associated");
    }
    resourceAdapter = storageAdapter;
  }

  @Override
  public TransactionSupportLevel getTransactionSupport() {
    return TransactionSupportLevel.NoTransaction;
  }

  @Override
  public PrintWriter getLogWriter() {
    return logWriter;
  }

  @Override
  public void setLogWriter(PrintWriter logWriter) {
    this.logWriter = logWriter;
  }

  // JCA asks for equality over the configuration; the container uses it to tell pools apart.
  @Override
  public boolean equals(Object other) {
    return this == other
        || other instanceof StorageManagedConnectionFactory that
            && Objects.equals(storageSystem, that.storageSystem)
            && Objects.equals(dataDirectory, that.dataDirectory)
            && Objects.equals(cacheSizeMiB, that.cacheSizeMiB)
            && Objects.equals(nbdHost, that.nbdHost)
            && Objects.equals(nbdPort, that.nbdPort)
            && Objects.equals(nbdTls, that.nbdTls)
            && Objects.equals(nbdTlsDirectory, that.nbdTlsDirectory)
            && Objects.equals(brokerUrl, that.brokerUrl)
            && Objects.equals(brokerClientProperties, that.brokerClientProperties)
            && Objects.equals(syncTimeoutMillis, that.syncTimeoutMillis)
            && Objects.equals(drainTimeoutMillis, that.drainTimeoutMillis)
            && Objects.equals(backlogWaitMillis, that.backlogWaitMillis)
            && Objects.equals(resyncMibPerSecond, that.resyncMibPerSecond)
            && Objects.equals(hosted, that.hosted)
            && Objects.equals(localSite, that.localSite)
            && Objects.equals(anyStorageSystem, that.anyStorageSystem)
            && Objects.equals(controlTimeoutMillis, that.controlTimeoutMillis);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        storageSystem,
        dataDirectory,
        cacheSizeMiB,
        nbdHost,
        nbdPort,
        nbdTls,
        nbdTlsDirectory,
        brokerUrl,
        brokerClientProperties,
        syncTimeoutMillis,
        drainTimeoutMillis,
        backlogWaitMillis,
        resyncMibPerSecond,
        hosted,
        localSite,
        anyStorageSystem,
        controlTimeoutMillis);
  }

  @Override
  public String toString() {
    return "StorageManagedConnectionFactory[" + storageSystem + "]";
  }
}
