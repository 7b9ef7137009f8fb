package org.roamstore.storage.api;

import java.io.Serializable;

/** What a container binds in JNDI for each storage control unit, and the engine offers directly. */
public interface StorageConnectionFactory extends Serializable {
  StorageConnection getConnection();
}
