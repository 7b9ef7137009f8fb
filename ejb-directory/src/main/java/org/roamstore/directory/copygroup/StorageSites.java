package org.roamstore.directory.copygroup;

import org.roamstore.storage.api.StorageConnection;

/** How the directory reaches the storage control unit of a storage system. */
@FunctionalInterface
public interface StorageSites {

  /**
   * A fresh connection, to be closed by the caller.
   *
   * @throws SiteUnreachableException when the storage system has no connection factory or does not
   *     answer
   */
  StorageConnection connect(String storageSystem);
}
