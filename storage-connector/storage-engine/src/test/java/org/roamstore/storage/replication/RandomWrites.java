package org.roamstore.storage.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.engine.StorageControlUnit;

/** Seeded random writes of mixed sizes and alignments, from several threads at once. */
final class RandomWrites {
  private RandomWrites() {}

  /** One write: mostly 4 KiB pages, some unaligned small writes, some large aligned ones. */
  static void one(StorageConnection c, String volume, long epoch, long size, Random r) {
    int kind = r.nextInt(10);
    int length = kind < 6 ? 4096 : kind < 9 ? 1 + r.nextInt(64 * 1024) : 256 * 1024;
    long offset =
        kind < 6 || kind == 9
            ? r.nextLong((size - length) / 4096 + 1) * 4096
            : r.nextLong(size - length + 1);
    byte[] data = new byte[length];
    r.nextBytes(data);
    c.write(volume, epoch, offset, data, false);
  }

  /** A small write: a 4 KiB page or up to 8 KiB anywhere. */
  static void small(StorageConnection c, String volume, long size, Random r) {
    byte[] data = new byte[r.nextBoolean() ? 4096 : 1 + r.nextInt(8192)];
    r.nextBytes(data);
    long offset = r.nextLong(size - data.length + 1);
    c.write(volume, 1, data.length == 4096 ? offset & ~4095L : offset, data, false);
  }

  /** {@code writers} threads writing {@code count} times each; returns when all are done. */
  static void run(
      StorageControlUnit unit, String volume, long size, long seed, int writers, int count)
      throws Exception {
    run(unit, volume, size, seed, writers, () -> false, count);
  }

  /** As {@link #run}, but each writer also stops early once {@code stop} says so. */
  static void run(
      StorageControlUnit unit,
      String volume,
      long size,
      long seed,
      int writers,
      BooleanSupplier stop,
      int count)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        Random random = new Random(seed * 31 + w);
        done.add(
            pool.submit(
                () -> {
                  try (StorageConnection c = unit.connect()) {
                    for (int i = 0; i < count && !stop.getAsBoolean(); i++) {
                      one(c, volume, 1, size, random);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
