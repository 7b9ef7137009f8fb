package org.roamstore.storage.connector;

import jakarta.resource.Referenceable;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import java.util.Objects;
import javax.naming.Reference;
import org.roamstore.storage.api.AnyStorageConnectionFactory;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageConnectionFactory;
import org.roamstore.storage.api.StorageException;

/**
 * What the container binds in JNDI for a storage connector pool. Each {@link #getConnection()} goes
 * through the container's connection manager, which pools the physical connections.
 */
public final class StorageConnectionFactoryImpl
    implements StorageConnectionFactory, AnyStorageConnectionFactory, Referenceable {
  private static final long serialVersionUID = 1L;

  private final StorageManagedConnectionFactory managedConnectionFactory;
  private final ConnectionManager connectionManager;
  private Reference reference;

  StorageConnectionFactoryImpl(
      StorageManagedConnectionFactory managedConnectionFactory,
      ConnectionManager connectionManager) {
    this.managedConnectionFactory =
        Objects.requireNonNull(managedConnectionFactory, "managed connection factory");
    this.connectionManager = Objects.requireNonNull(connectionManager, "connection manager");
  }

  @Override
  public StorageConnection getConnection() {
    return allocate(managedConnectionFactory.defaultRequestInfo());
  }

  /**
   * A connection to {@code storageSystem}; only a pool with {@code AnyStorageSystem} reaches
   * another system than its own, and the pool keeps each system's connections apart by their
   * request info.
   */
  @Override
  public StorageConnection getConnection(String storageSystem) {
    StorageConnectionRequestInfo info = new StorageConnectionRequestInfo(storageSystem);
    if (!storageSystem.equals(managedConnectionFactory.getStorageSystem())
        && !managedConnectionFactory.reachesAnyStorageSystem()) {
      throw new StorageException(
          StorageException.Reason.INVALID_ARGUMENT,
          "the pool of storage system "
              + managedConnectionFactory.getStorageSystem()
              + " reaches no other (AnyStorageSystem is false), not "
              + storageSystem);
    }
    return allocate(info);
  }

  private StorageConnection allocate(StorageConnectionRequestInfo info) {
    try {
      return (StorageConnection)
          connectionManager.allocateConnection(managedConnectionFactory, info);
    } catch (ResourceException e) {
      // The API has no checked exceptions; a pool that cannot give a connection is an I/O failure
      // to the caller, with the container's reason kept as the cause.
      throw new StorageException(
          StorageException.Reason.IO_ERROR,
          "no connection to storage system " + info.storageSystem() + ": " + e.getMessage(),
          e);
    }
  }

  @Override
  public void setReference(Reference reference) {
    this.reference = reference;
  }

  @Override
  public Reference getReference() {
    return reference;
  }

  @Override
  public String toString() {
    return "StorageConnectionFactory[" + managedConnectionFactory.getStorageSystem() + "]";
  }
}
