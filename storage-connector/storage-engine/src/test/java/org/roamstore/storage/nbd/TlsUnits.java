package org.roamstore.storage.nbd;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.NbdTlsMode;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.engine.StorageControlUnit;
import org.roamstore.storage.engine.StorageControlUnitConfig;

/**
 * Control units for the TLS tests, each serving one volume {@code v1} exported as {@code token},
 * each in a data directory of its own; closing closes them all.
 */
final class TlsUnits implements AutoCloseable {
  private final Path root;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<StorageControlUnit> units = new ArrayList<>();

  TlsUnits(Path root) {
    this.root = root;
  }

  /** A unit in {@code mode} with the credentials in {@code tls}, serving {@code size} bytes. */
  StorageControlUnit open(NbdTlsMode mode, Path tls, long size) {
    StorageControlUnit unit =
        StorageControlUnit.open(
            new StorageControlUnitConfig(
                "site-a", root.resolve("data-" + units.size()), 16 << 20, null, 0, mode, tls),
            executor);
    units.add(unit);
    try (StorageConnection c = unit.connect()) {
      var volume = c.createVolume("v1", size);
      c.defineCopyGroup(
          new CopyVolumeGroupInfo(
              "g1", TransferType.ASYNC, 1, List.of(new CopyGroupMember(volume.address(), true))));
      c.registerExport("token", "v1", 1);
    }
    return unit;
  }

  @Override
  public void close() {
    units.forEach(StorageControlUnit::close);
    executor.shutdownNow();
  }
}
