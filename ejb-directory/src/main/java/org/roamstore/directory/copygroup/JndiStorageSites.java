package org.roamstore.directory.copygroup;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageConnectionFactory;

/**
 * Storage control units as the container binds them: {@code roamstore/storage/<storage system>}.
 * Factories are looked up once and kept; a missing binding is looked up again next time, so a site
 * whose pool is created later becomes reachable without a restart.
 */
@ApplicationScoped
public class JndiStorageSites implements StorageSites {
  public static final String JNDI_PREFIX = "roamstore/storage/";

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
      throw new SiteUnreachableException(
          storageSystem, "no storage connection factory at " + name + ": " + e.getMessage(), e);
    }
  }
}
