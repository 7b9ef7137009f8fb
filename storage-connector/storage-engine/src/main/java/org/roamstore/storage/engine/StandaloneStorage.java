package org.roamstore.storage.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.api.VolumeInfo;

/**
 * Runs one storage control unit outside any container, for benchmarks and manual tests.
 *
 * <pre>
 * StandaloneStorage STORAGE_SYSTEM DATA_DIR NBD_PORT CACHE_MIB [--host ADDR]
 *                   [--volume NAME:SIZE]... [--export EXPORT[:VOLUME]]...
 * </pre>
 *
 * A {@code --volume} that does not exist is created (SIZE like 1073741824, 512M, 1G) and, if it has
 * no copy group yet, gets a one-member group of the same name with this unit as primary at epoch 1.
 * {@code --export} registers an NBD export name for a volume (by default the volume of the same
 * name) at its current epoch. Prints {@code READY nbd://host:port} once serving; stops cleanly on
 * SIGTERM or Ctrl-C.
 */
public final class StandaloneStorage {
  private StandaloneStorage() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 4) {
      usage("missing arguments");
    }
    String host = null;
    List<String[]> volumes = new ArrayList<>();
    List<String[]> exports = new ArrayList<>();
    for (int i = 4; i < args.length; i++) {
      String option = args[i];
      if (i + 1 >= args.length) {
        usage(option + " needs a value");
      }
      String value = args[++i];
      switch (option) {
        case "--host" -> host = value;
        case "--volume" -> volumes.add(value.split(":", 2));
        case "--export" -> exports.add(value.split(":", 2));
        default -> usage("unknown option " + option);
      }
    }
    StorageControlUnitConfig config;
    try {
      config =
          new StorageControlUnitConfig(
              args[0],
              Path.of(args[1]),
              Long.parseLong(args[3]) << 20,
              host,
              Integer.parseInt(args[2]));
    } catch (NumberFormatException | StorageException e) {
      usage(e.getMessage());
      return;
    }

    AtomicInteger threadNumber = new AtomicInteger();
    ExecutorService executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "roamstore-" + threadNumber.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    StorageControlUnit unit = StorageControlUnit.open(config, executor);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    unit.close();
                    executor.shutdown();
                  } finally {
                    stopped.countDown();
                  }
                },
                "roamstore-shutdown"));
    try (StorageConnection storage = unit.connect()) {
      for (String[] v : volumes) {
        prepareVolume(storage, v);
      }
      for (String[] e : exports) {
        String volumeId = e.length > 1 ? e[1] : e[0];
        VolumeInfo volume =
            storage
                .volume(volumeId)
                .orElseThrow(() -> new IllegalArgumentException("no volume " + volumeId));
        long epoch = volume.copyGroup().map(CopyVolumeGroupInfo::epoch).orElse(0L);
        storage.registerExport(e[0], volumeId, epoch);
      }
    } catch (RuntimeException e) {
      System.err.println("cannot prepare volumes: " + e.getMessage());
      System.exit(1);
    }
    System.out.println("READY nbd://" + config.nbdHost() + ":" + unit.nbdPort());
    System.out.flush();
    stopped.await();
  }

  private static void prepareVolume(StorageConnection storage, String[] spec) {
    if (spec.length != 2) {
      throw new IllegalArgumentException("--volume takes NAME:SIZE");
    }
    String id = spec[0];
    VolumeInfo volume =
        storage.volume(id).orElseGet(() -> storage.createVolume(id, parseSize(spec[1])));
    if (volume.copyGroup().isEmpty()) {
      storage.defineCopyGroup(
          new CopyVolumeGroupInfo(
              id, TransferType.SYNC, 1, List.of(new CopyGroupMember(volume.address(), true))));
    }
  }

  static long parseSize(String text) {
    String s = text.trim().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
    long unit = 1;
    char last = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
    switch (last) {
      case 'K' -> unit = 1L << 10;
      case 'M' -> unit = 1L << 20;
      case 'G' -> unit = 1L << 30;
      case 'T' -> unit = 1L << 40;
      default -> {}
    }
    if (unit != 1) {
      s = s.substring(0, s.length() - 1);
    }
    return Math.multiplyExact(Long.parseLong(s), unit);
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println(
        "usage: StandaloneStorage STORAGE_SYSTEM DATA_DIR NBD_PORT CACHE_MIB [--host ADDR]"
            + " [--volume NAME:SIZE]... [--export EXPORT[:VOLUME]]...");
    System.exit(2);
  }
}
