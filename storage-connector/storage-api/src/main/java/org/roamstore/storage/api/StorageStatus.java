package org.roamstore.storage.api;

/** What a storage control unit reports about itself. */
public record StorageStatus(
    String storageSystem,
    String nbdHost,
    int nbdPort,
    int volumes,
    long cacheCapacityBytes,
    long cacheDirtyBytes) {}
