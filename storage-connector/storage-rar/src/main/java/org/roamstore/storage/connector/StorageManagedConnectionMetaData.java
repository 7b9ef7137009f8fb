package org.roamstore.storage.connector;

import jakarta.resource.spi.ManagedConnectionMetaData;

/** What the container shows about a storage connection. */
record StorageManagedConnectionMetaData(String storageSystem) implements ManagedConnectionMetaData {
  static final String PRODUCT_NAME = "Roamstore storage control unit";

  @Override
  public String getEISProductName() {
    return PRODUCT_NAME + " " + storageSystem;
  }

  @Override
  public String getEISProductVersion() {
    String version = StorageManagedConnectionMetaData.class.getPackage().getImplementationVersion();
    return version == null ? "development" : version;
  }

  /** A control unit serves any number of connections; the pool's own limit is the only one. */
  @Override
  public int getMaxConnections() {
    return 0;
  }

  /** Storage has no users of its own: access is granted by the directory, per volume and epoch. */
  @Override
  public String getUserName() {
    return "";
  }
}
