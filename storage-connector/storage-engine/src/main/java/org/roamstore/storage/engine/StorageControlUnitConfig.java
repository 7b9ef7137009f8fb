package org.roamstore.storage.engine;

import java.nio.file.Path;
import java.util.Objects;
import org.roamstore.storage.api.Names;
import org.roamstore.storage.api.NbdTlsMode;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.nbd.NbdTls;

/**
 * How to run one storage control unit.
 *
 * @param storageSystem the storage system id (one per data center)
 * @param dataDirectory where volumes, copy group information and exports are kept
 * @param cacheBytes cache memory size; 0 or less means {@link #DEFAULT_CACHE_BYTES}
 * @param nbdHost address the NBD server listens on; null means loopback
 * @param nbdPort NBD port; 0 picks a free port, -1 runs no NBD server
 * @param nbdTls whether NBD clients get TLS; null means {@link NbdTlsMode#OFF}
 * @param nbdTlsDirectory where the NBD server's certificate and key are (see {@link NbdTls});
 *     needed unless TLS is off
 */
public record StorageControlUnitConfig(
    String storageSystem,
    Path dataDirectory,
    long cacheBytes,
    String nbdHost,
    int nbdPort,
    NbdTlsMode nbdTls,
    Path nbdTlsDirectory) {

  public static final long DEFAULT_CACHE_BYTES = 256L << 20;
  public static final String DEFAULT_NBD_HOST = "127.0.0.1";
  public static final int NBD_OFF = -1;

  public StorageControlUnitConfig {
    Names.require("storage system", storageSystem);
    Objects.requireNonNull(dataDirectory, "data directory");
    if (cacheBytes <= 0) {
      cacheBytes = DEFAULT_CACHE_BYTES;
    }
    if (nbdHost == null || nbdHost.isBlank()) {
      nbdHost = DEFAULT_NBD_HOST;
    }
    if (nbdPort < NBD_OFF || nbdPort > 65535) {
      throw new StorageException(
          Reason.INVALID_ARGUMENT, "NBD port must be -1 (off), 0 (any) or 1-65535: " + nbdPort);
    }
    if (nbdTls == null) {
      nbdTls = NbdTlsMode.OFF;
    }
    if (nbdTls.offered() && nbdTlsDirectory == null) {
      throw new StorageException(
          Reason.INVALID_ARGUMENT, "NBD TLS " + nbdTls.text() + " needs a TLS directory");
    }
  }

  /** Without NBD TLS. */
  public StorageControlUnitConfig(
      String storageSystem, Path dataDirectory, long cacheBytes, String nbdHost, int nbdPort) {
    this(storageSystem, dataDirectory, cacheBytes, nbdHost, nbdPort, NbdTlsMode.OFF, null);
  }

  /** Default cache, NBD on a free loopback port. */
  public static StorageControlUnitConfig of(String storageSystem, Path dataDirectory) {
    return new StorageControlUnitConfig(storageSystem, dataDirectory, 0, null, 0);
  }
}
