package org.roamstore.storage.connector;

import jakarta.jms.ConnectionFactory;
import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.Connector;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterInternalException;
import jakarta.resource.spi.TransactionSupport;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.transaction.xa.XAResource;
import org.roamstore.storage.control.ControlClient;
import org.roamstore.storage.control.ControlServer;
import org.roamstore.storage.engine.StorageControlUnit;
import org.roamstore.storage.engine.StorageControlUnitConfig;
import org.roamstore.storage.replication.NoRemoteCopy;
import org.roamstore.storage.replication.RemoteCopy;
import org.roamstore.storage.replication.WriteDataSender;

/**
 * The resource adapter: owns the open storage control units of this server and the container's
 * threads they run on.
 *
 * <p>Control units are kept per storage system, opened on first use and closed only by {@link
 * #stop()}. Several pools for the same storage system share the one open unit (two units on one
 * data directory would corrupt it). The unit is deliberately not closed when its last managed
 * connection goes: pools shrink to nothing when idle, yet the unit's NBD front end and its send
 * process serve clients who never touch a JCA connection.
 */
@Connector(
    displayName = "Roamstore storage connector",
    description =
        "Storage control units of Roamstore: volumes, write-back cache, copy volume groups and an"
            + " NBD front end, one per storage system",
    vendorName = "Roamstore",
    eisType = "Roamstore storage control unit",
    version = "0.1",
    licenseRequired = false,
    reauthenticationSupport = false,
    transactionSupport = TransactionSupport.TransactionSupportLevel.NoTransaction)
public class StorageResourceAdapter implements ResourceAdapter {
  private static final Logger LOG = Logger.getLogger(StorageResourceAdapter.class.getName());

  private final Map<String, OpenUnit> units = new LinkedHashMap<>();
  private final Map<String, ControlClient> controlClients = new LinkedHashMap<>();
  private BootstrapContext bootstrapContext;
  private Executor executor;

  private record OpenUnit(
      StorageControlUnitConfig config,
      StorageManagedConnectionFactory.RemoteCopyConfig remoteCopy,
      StorageControlUnit unit,
      ControlServer control) {}

  @Override
  public synchronized void start(BootstrapContext context) throws ResourceAdapterInternalException {
    if (context == null || context.getWorkManager() == null) {
      throw new ResourceAdapterInternalException("the container gave no work manager");
    }
    this.bootstrapContext = context;
    this.executor = new WorkManagerExecutor(context.getWorkManager());
    LOG.info("Roamstore storage connector started");
  }

  /** Closes every open control unit; closing flushes its cache to the volume files. */
  @Override
  public void stop() {
    List<OpenUnit> closing;
    List<ControlClient> clients;
    synchronized (this) {
      closing = new ArrayList<>(units.values());
      units.clear();
      clients = new ArrayList<>(controlClients.values());
      controlClients.clear();
      bootstrapContext = null;
      executor = null;
    }
    clients.forEach(ControlClient::close);
    for (OpenUnit open : closing) {
      if (open.control() != null) {
        open.control().stop(0); // no new requests while the unit closes
      }
      try {
        open.unit().close();
        LOG.info(() -> "closed storage control unit " + open.config().storageSystem());
      } catch (RuntimeException e) {
        // Keep closing the others: one unit's failure must not leave the rest unflushed.
        LOG.log(Level.SEVERE, "closing storage control unit " + open.config().storageSystem(), e);
      }
    }
  }

  /**
   * The open control unit of the configured storage system, opened now if this is its first use. A
   * second pool for the same storage system must agree on every setting, or it is refused: two
   * pools that disagree about the data directory or NBD port are a configuration mistake, and
   * silently serving one of them would hide it.
   */
  synchronized StorageControlUnit controlUnit(
      StorageControlUnitConfig config, StorageManagedConnectionFactory.RemoteCopyConfig remoteCopy)
      throws ResourceException {
    if (executor == null) {
      throw new ResourceAdapterInternalException(
          "the storage connector is not started (or already stopped)");
    }
    OpenUnit open = units.get(config.storageSystem());
    if (open != null) {
      if (!open.config().equals(config) || !Objects.equals(open.remoteCopy(), remoteCopy)) {
        throw new ResourceException(
            "storage system "
                + config.storageSystem()
                + " is already open as "
                + open.config()
                + " with remote copy "
                + open.remoteCopy()
                + "; a pool asks for "
                + config
                + " with remote copy "
                + remoteCopy
                + ". Give every pool of one storage system the same properties.");
      }
      return open.unit();
    }
    StorageControlUnit unit;
    ControlServer control = null;
    try {
      ConnectionFactory broker =
          remoteCopy == null
              ? null
              : BrokerConnections.connectionFactory(
                  remoteCopy.brokerUrl(), remoteCopy.clientProperties());
      WriteDataSender sender =
          broker == null ? new NoRemoteCopy() : new RemoteCopy(broker, remoteCopy.settings());
      unit = StorageControlUnit.open(config, executor, sender);
      if (broker != null) {
        control = ControlServer.start(broker, unit.connect(), executor);
      }
    } catch (RuntimeException e) {
      throw new ResourceException(
          "cannot open storage control unit " + config.storageSystem() + ": " + e.getMessage(), e);
    }
    units.put(config.storageSystem(), new OpenUnit(config, remoteCopy, unit, control));
    LOG.info(
        () ->
            "opened storage control unit "
                + config.storageSystem()
                + " on "
                + config.dataDirectory()
                + (unit.nbdPort() > 0
                    ? ", NBD on port " + unit.nbdPort() + " (TLS " + config.nbdTls().text() + ")"
                    : ", NBD off")
                + (remoteCopy == null
                    ? ", no remote copy"
                    : ", remote copy over " + remoteCopy.brokerUrl()));
    return unit;
  }

  /**
   * The one control client of this server for a broker and site: every pool that reaches units
   * through that broker shares it, since two clients on one reply queue would take each other's
   * answers.
   */
  synchronized ControlClient controlClient(
      String brokerUrl, String clientProperties, String localSite) throws ResourceException {
    if (executor == null) {
      throw new ResourceAdapterInternalException(
          "the storage connector is not started (or already stopped)");
    }
    return controlClients.computeIfAbsent(
        brokerUrl + " " + clientProperties + " " + localSite,
        key ->
            new ControlClient(
                BrokerConnections.connectionFactory(brokerUrl, clientProperties),
                localSite.isEmpty() ? null : localSite));
  }

  /** How many control units are open; for tests and status pages. */
  synchronized int openControlUnits() {
    return units.size();
  }

  synchronized BootstrapContext bootstrapContext() {
    return bootstrapContext;
  }

  /** Storage pushes no messages into the application, so there is no inbound side. */
  @Override
  public void endpointActivation(MessageEndpointFactory factory, ActivationSpec spec)
      throws ResourceException {
    throw new NotSupportedException("the storage connector has no inbound messaging");
  }

  @Override
  public void endpointDeactivation(MessageEndpointFactory factory, ActivationSpec spec) {}

  /** No transactions, so nothing for the container to recover. */
  @Override
  public XAResource[] getXAResources(ActivationSpec[] specs) {
    return new XAResource[0];
  }

  // The adapter has no config properties, so identity is the JavaBean equality the spec asks for.
  @Override
  public boolean equals(Object other) {
    return this == other;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }
}
