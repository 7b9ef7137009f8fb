package org.roamstore.storage.connector;

import jakarta.resource.spi.ConnectionRequestInfo;
import org.roamstore.storage.api.Names;

/**
 * What a caller asks of a connection: the storage system it wants to reach. The pool hands a caller
 * only a managed connection whose request info is equal to the caller's.
 */
public record StorageConnectionRequestInfo(String storageSystem) implements ConnectionRequestInfo {
  public StorageConnectionRequestInfo {
    Names.require("storage system", storageSystem);
  }
}
