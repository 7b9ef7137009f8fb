package org.roamstore.storage.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.roamstore.storage.volume.BackingFile;

/**
 * A page written while the destager writes it must reach the file whole, old or new, never half of
 * each: after a crash at that moment the file is all there is, and no disk tears a 4 KiB block
 * between two writes. The backing file here copies what it is given in two halves with a write of
 * the same page in between, as the kernel may while a pwrite copies from a buffer someone changes.
 */
class DestageSnapshotTest {
  private static final int PAGE = CacheMemory.PAGE_SIZE;

  private final ExecutorService executor = Executors.newCachedThreadPool();

  @AfterEach
  void tearDown() {
    executor.shutdownNow();
  }

  @Test
  void aPageChangedDuringItsDestageReachesTheFileWholeAndThenNewest() throws Exception {
    HalvingFile file = new HalvingFile(16 * PAGE);
    CacheMemory cache = new CacheMemory(64L * PAGE); // destager not started: flush() destages
    CachedVolume volume = cache.attach(file);
    volume.write(0, ByteBuffer.wrap(filled('A')));

    Future<?> flush = executor.submit(volume::flush);
    assertTrue(file.halfCopied.await(10, TimeUnit.SECONDS), "the flush began writing the page");
    volume.write(0, ByteBuffer.wrap(filled('B'))); // lands between the two halves
    file.goOn.countDown();
    flush.get(10, TimeUnit.SECONDS);

    byte[] afterFirst = file.page(0);
    assertTrue(
        Arrays.equals(afterFirst, filled('A')) || Arrays.equals(afterFirst, filled('B')),
        "the file holds one write's page, not a mix: starts "
            + (char) afterFirst[0]
            + ", ends "
            + (char) afterFirst[PAGE - 1]);

    volume.flush(); // the page stayed dirty if the newer write missed the first destage
    assertArrayEquals(filled('B'), file.page(0), "the newest write is in the file after a flush");
    cache.close();
  }

  private static byte[] filled(char c) {
    byte[] page = new byte[PAGE];
    Arrays.fill(page, (byte) c);
    return page;
  }

  /** An in-memory file whose first write stops half way until the test lets it go on. */
  private static final class HalvingFile implements BackingFile {
    final byte[] bytes;
    final CountDownLatch halfCopied = new CountDownLatch(1);
    final CountDownLatch goOn = new CountDownLatch(1);
    private boolean paused;

    HalvingFile(int size) {
      bytes = new byte[size];
    }

    synchronized byte[] page(int index) {
      return Arrays.copyOfRange(bytes, index * PAGE, (index + 1) * PAGE);
    }

    @Override
    public long sizeBytes() {
      return bytes.length;
    }

    @Override
    public synchronized void read(ByteBuffer dst, long position) {
      dst.put(bytes, (int) position, dst.remaining());
    }

    @Override
    public void write(ByteBuffer[] srcs, long position) throws java.io.IOException {
      int at = (int) position;
      for (ByteBuffer src : srcs) {
        int half = src.remaining() / 2;
        copy(src, at, half);
        at += half;
        if (!paused) {
          paused = true;
          halfCopied.countDown();
          try {
            if (!goOn.await(10, TimeUnit.SECONDS)) {
              throw new java.io.IOException("the test never let the write go on");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.IOException(e);
          }
        }
        int rest = src.remaining();
        copy(src, at, rest);
        at += rest;
      }
    }

    private synchronized void copy(ByteBuffer src, int at, int n) {
      src.get(bytes, at, n);
    }

    @Override
    public void force() {}
  }
}
