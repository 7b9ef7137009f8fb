package org.roamstore.storage.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.volume.RealVolume;
import org.roamstore.storage.volume.VolumeFiles;

/** The cache against a plain byte array of the volume, under seeded random operations. */
class CacheMemoryModelTest {
  private static final int PAGE = CacheMemory.PAGE_SIZE;

  @TempDir Path dir;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    executor.shutdownNow();
  }

  private RealVolume volume(String id, long size) throws Exception {
    RealVolume v = new VolumeFiles(dir).create(id, size);
    toClose.add(v);
    return v;
  }

  private CacheMemory cache(long bytes) {
    CacheMemory cache = new CacheMemory(bytes);
    cache.start(executor);
    return cache;
  }

  @ParameterizedTest(name = "seed {0}, cache {1} pages, volume {2} bytes")
  @CsvSource({
    "1, 16, 1049811", // tiny cache: constant eviction and back-pressure; size not page-aligned
    "2, 16, 262144",
    "3, 1024, 1049811", // everything fits
    "4, 64, 3000000"
  })
  void matchesReferenceModel(long seed, int cachePages, long size) throws Exception {
    Random random = new Random(seed);
    RealVolume file = volume("v", size);
    CacheMemory cache = cache((long) cachePages * PAGE);
    CachedVolume volume = cache.attach(file);
    byte[] model = new byte[(int) size];

    for (int op = 0; op < 3000; op++) {
      int kind = random.nextInt(100);
      int offset = random.nextInt((int) size);
      int max = (int) size - offset;
      int length = Math.min(max, randomLength(random));
      if (kind < 6) {
        // large and page-aligned: may go around the cache, ending at a page or the volume end
        offset -= offset % PAGE;
        length = random.nextBoolean() ? (int) size - offset : PAGE * (32 + random.nextInt(33));
        length = Math.min(length, (int) size - offset);
      }
      if (kind < 50) {
        byte[] data = new byte[length];
        random.nextBytes(data);
        volume.write(offset, ByteBuffer.wrap(data));
        System.arraycopy(data, 0, model, offset, length);
      } else if (kind < 55) {
        volume.writeZeroes(offset, length);
        Arrays.fill(model, offset, offset + length, (byte) 0);
      } else if (kind < 97) {
        ByteBuffer read = random.nextBoolean() ? ByteBuffer.allocate(length) : direct(length);
        volume.read(offset, read);
        assertEquals(0, read.remaining(), "read fills the buffer");
        assertArrayEquals(
            Arrays.copyOfRange(model, offset, offset + length),
            bytes(read.flip()),
            "op " + op + ": read " + offset + "+" + length);
      } else {
        assertHolesReadAsZeros(volume, model, "op " + op + ", dirty pages in the cache");
        volume.flush();
        assertArrayEquals(model, Files.readAllBytes(file.file()), "file after flush, op " + op);
        assertHolesReadAsZeros(volume, model, "op " + op + ", after a flush");
      }
    }
    cache.close();
    assertArrayEquals(model, Files.readAllBytes(file.file()), "file after close");
    assertEquals(0, cache.dirtyBytes());
  }

  /** Whatever the allocation calls a hole must be zeros; it must cover the volume in order. */
  private static void assertHolesReadAsZeros(CachedVolume volume, byte[] model, String when) {
    long at = 0;
    for (CachedVolume.Extent e : volume.allocation(0, model.length, Integer.MAX_VALUE)) {
      if (e.hole()) {
        byte[] zeros = new byte[(int) e.length()];
        assertArrayEquals(
            zeros,
            Arrays.copyOfRange(model, (int) at, (int) (at + e.length())),
            when + ": hole " + at + "+" + e.length());
      }
      at += e.length();
    }
    assertEquals(model.length, at, when + ": the extents cover the volume");
  }

  @Test
  void concurrentWritersOnATinyCacheLoseNothing() throws Exception {
    long size = 4L << 20;
    RealVolume file = volume("c", size);
    CacheMemory cache = cache(16L * PAGE);
    CachedVolume volume = cache.attach(file);
    byte[] model = new byte[(int) size];
    int writers = 4;
    int slice = (int) size / writers;
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int base = w * slice;
      Random random = new Random(100 + w);
      done.add(
          executor.submit(
              () -> {
                for (int i = 0; i < 400; i++) {
                  int offset = base + random.nextInt(slice - 70_000);
                  byte[] data = new byte[1 + random.nextInt(65_536)];
                  random.nextBytes(data);
                  volume.write(offset, ByteBuffer.wrap(data));
                  synchronized (model) {
                    System.arraycopy(data, 0, model, offset, data.length);
                  }
                  if (i % 50 == 0) {
                    volume.flush();
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    ByteBuffer all = ByteBuffer.allocate((int) size);
    volume.read(0, all);
    assertArrayEquals(model, all.array(), "cache content");
    volume.flush();
    assertArrayEquals(model, Files.readAllBytes(file.file()), "file content after flush");
  }

  @Test
  void racingWritesAroundAndThroughTheCacheLeaveCacheAndFileAgreeing() throws Exception {
    long size = 1L << 20;
    RealVolume file = volume("r", size);
    CacheMemory cache = cache(64L * PAGE);
    CachedVolume volume = cache.attach(file);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      Random random = new Random(300 + t);
      done.add(
          executor.submit(
              () -> {
                for (int i = 0; i < 300; i++) {
                  int kind = random.nextInt(3);
                  if (kind == 0) { // large, aligned: goes around the cache when it can
                    int offset = PAGE * random.nextInt(128);
                    byte[] data = new byte[PAGE * (32 + random.nextInt(64))];
                    Arrays.fill(data, (byte) random.nextInt());
                    volume.write(offset, ByteBuffer.wrap(data));
                  } else if (kind == 1) {
                    byte[] data = new byte[1 + random.nextInt(3 * PAGE)];
                    random.nextBytes(data);
                    volume.write(random.nextInt((int) size - data.length), ByteBuffer.wrap(data));
                  } else {
                    volume.read(random.nextInt((int) size - 9000), ByteBuffer.allocate(9000));
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    volume.flush();
    ByteBuffer cached = ByteBuffer.allocate((int) size);
    volume.read(0, cached);
    assertArrayEquals(Files.readAllBytes(file.file()), cached.array(), "cache and file agree");
  }

  @Test
  void badRangesAreRefusedAndChangeNothing() throws Exception {
    RealVolume file = volume("b", 10_000);
    CacheMemory cache = cache(16L * PAGE);
    CachedVolume volume = cache.attach(file);
    volume.write(0, ByteBuffer.wrap(new byte[] {1, 2, 3}));

    StorageException past =
        assertThrows(
            StorageException.class, () -> volume.write(9_999, ByteBuffer.wrap(new byte[2])));
    assertEquals(Reason.OUT_OF_RANGE, past.reason());
    assertEquals(
        Reason.OUT_OF_RANGE,
        assertThrows(StorageException.class, () -> volume.read(Long.MAX_VALUE, direct(1)))
            .reason());
    assertEquals(
        Reason.INVALID_ARGUMENT,
        assertThrows(StorageException.class, () -> volume.read(-1, direct(1))).reason());
    assertEquals(
        Reason.INVALID_ARGUMENT,
        assertThrows(StorageException.class, () -> volume.writeZeroes(0, -5)).reason());

    ByteBuffer tail = ByteBuffer.allocate(10);
    volume.read(9_990, tail);
    assertArrayEquals(new byte[10], tail.array(), "nothing written at the end");
    ByteBuffer head = ByteBuffer.allocate(3);
    volume.read(0, head);
    assertArrayEquals(new byte[] {1, 2, 3}, head.array());
  }

  @Test
  void cacheSmallerThanTheMinimumIsRefused() {
    assertThrows(StorageException.class, () -> new CacheMemory(PAGE));
    assertEquals(CacheMemory.DEFAULT_CAPACITY_BYTES, new CacheMemory(0).capacityBytes());
  }

  private static int randomLength(Random random) {
    int r = random.nextInt(100);
    if (r < 60) {
      return random.nextInt(2 * PAGE) + 1; // small and usually unaligned
    }
    if (r < 80) {
      return PAGE * (1 + random.nextInt(4)); // page-sized, possibly unaligned offset
    }
    if (r < 98) {
      return random.nextInt(64 * PAGE) + 1;
    }
    return 0;
  }

  private static ByteBuffer direct(int n) {
    return ByteBuffer.allocateDirect(n);
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
