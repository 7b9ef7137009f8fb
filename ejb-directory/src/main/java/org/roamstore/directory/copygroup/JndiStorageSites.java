package org.roamstore.directory.copygroup;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import org.roamstore.storage.api.AnyStorageConnectionFactory;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageConnectionFactory;

/**
 * Storage control units as the container binds them: {@code roamstore/storage/<storage system>}.
 * Factories are looked up once and kept; a missing binding is looked up again next time, so a site
 * whose pool is created later becomes reachable without a restart.
 *
 * <p>A data center added while this server runs has no pool here (Payara Micro makes its pools from
 * its post-boot commands only). A server of one site among several also binds {@link #ANY_SYSTEM},
 * a pool that reaches any storage system by name through the server's broker, as a pool of that
 * system's own would; a storage system without a binding of its own is reached through it.
 */
@ApplicationScoped
public class JndiStorageSites implements StorageSites {
  public static final String JNDI_PREFIX = "roamstore/storage/";

  /** The pool that reaches any storage system through this server's broker, where there is one. */
  public static final String ANY_SYSTEM = "roamstore/storage-any";

  private final Map<String, StorageConnectionFactory> factories = new ConcurrentHashMap<>();

  @Override
  public StorageConnection connect(String storageSystem) {
    StorageConnectionFactory factory = factories.computeIfAbsent(storageSystem, this::lookup);
    try {
      return factory.getConnection();
    } catch (RuntimeException e) {
      throw new SiteUnreachableException(
          storageSystem,
          "storage system " + storageSystem + " does not answer: " + e.getMessage(),
          e);
    }
  }

  private StorageConnectionFactory lookup(String storageSystem) {
    String name = JNDI_PREFIX + storageSystem;
    try {
      return (StorageConnectionFactory) new InitialContext().lookup(name);
    } catch (NamingException | ClassCastException e) {
      AnyStorageConnectionFactory any = any();
      if (any != null) {
        return () -> any.getConnection(storageSystem);
      }
      throw new SiteUnreachableException(
          storageSystem, "no storage connection factory at " + name + ": " + e.getMessage(), e);
    }
  }

  /** The pool for any storage system, or null where this server has none (one JVM, all sites). */
  private static AnyStorageConnectionFactory any() {
    try {
      return (AnyStorageConnectionFactory) new InitialContext().lookup(ANY_SYSTEM);
    } catch (NamingException | ClassCastException e) {
      return null;
    }
  }
}
