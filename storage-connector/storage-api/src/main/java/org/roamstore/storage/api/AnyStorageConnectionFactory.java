package org.roamstore.storage.api;

import java.io.Serializable;

/**
 * A connection factory that reaches storage systems by name rather than one fixed system: a
 * server's route to data centers added while it runs, which have no connection pool of their own in
 * it (its pools are made at its start). The container binds it as any {@link
 * StorageConnectionFactory}; a pool configured for it ({@code AnyStorageSystem}) reaches each named
 * system through the server's broker, exactly as that system's own pool would.
 */
public interface AnyStorageConnectionFactory extends Serializable {

  /**
   * A fresh connection to {@code storageSystem}'s control unit, to be closed by the caller.
   *
   * @throws StorageException INVALID_ARGUMENT for a name that is not a storage system's, or when
   *     this factory reaches one system only and that is another
   */
  StorageConnection getConnection(String storageSystem);
}
