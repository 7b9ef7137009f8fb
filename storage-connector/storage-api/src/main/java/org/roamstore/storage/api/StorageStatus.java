package org.roamstore.storage.api;

/**
 * What a storage control unit reports about itself.
 *
 * @param nbdPort -1 when it serves no NBD
 * @param nbdTls whether its NBD clients get TLS ({@link NbdTlsMode#OFF} when it serves no NBD)
 */
public record StorageStatus(
    String storageSystem,
    String nbdHost,
    int nbdPort,
    int volumes,
    long cacheCapacityBytes,
    long cacheDirtyBytes,
    NbdTlsMode nbdTls) {}
