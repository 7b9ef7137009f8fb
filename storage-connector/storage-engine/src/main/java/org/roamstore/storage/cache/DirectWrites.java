package org.roamstore.storage.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;

/**
 * Large whole-page writes that go straight to the file, and the page ranges such a write (or a
 * punched hole) holds while it runs: no page of a range being written around the cache may appear
 * until the file has it, so nothing loaded halfway through can hide or overwrite its data.
 */
final class DirectWrites {
  // Whole-page writes at least this large go straight to the file when none of their pages is
  // cached: streaming data through the cache would only add a copy and evict useful pages.
  static final int BYPASS_BYTES = 128 * 1024;

  private final PageTable table;

  DirectWrites(PageTable table) {
    this.table = table;
  }

  /**
   * Writes whole pages straight to the file if none of them is cached; returns false (having done
   * nothing) otherwise. While the file write runs, no page of the range can be created, so no page
   * loaded halfway through it can later hide or overwrite its data.
   */
  boolean writeAround(CachedVolume volume, long offset, ByteBuffer src) {
    long end = offset + src.remaining();
    if (offset % CacheMemory.PAGE_SIZE != 0
        || (end % CacheMemory.PAGE_SIZE != 0 && end != volume.sizeBytes())) {
      return false;
    }
    long[] range = {offset / CacheMemory.PAGE_SIZE, (end - 1) / CacheMemory.PAGE_SIZE};
    table.lock.lock();
    try {
      PageTable.checkAttached(volume);
      if (!volume.pages.isEmpty()) {
        for (long i = range[0]; i <= range[1]; i++) {
          if (volume.pages.containsKey(i)) {
            return false;
          }
        }
      }
      if (overlapsBypass(volume, range)) {
        return false;
      }
      volume.bypasses.add(range);
    } finally {
      table.lock.unlock();
    }
    try {
      volume.file.write(new ByteBuffer[] {src}, offset);
    } catch (IOException e) {
      throw new StorageException(Reason.IO_ERROR, "cannot write volume: " + e.getMessage(), e);
    } finally {
      endBypass(volume, range);
    }
    return true;
  }

  /** Lets pages of a range written or punched around the cache appear again. */
  void endBypass(CachedVolume volume, long[] range) {
    table.lock.lock();
    try {
      volume.bypasses.remove(range);
      table.pageLoaded.signalAll();
    } finally {
      table.lock.unlock();
    }
  }

  /**
   * True (after waiting, the page table's lock held) if the page is inside a write around the
   * cache; look again then.
   */
  boolean waitedForBypass(CachedVolume volume, long index) {
    for (long[] range : volume.bypasses) {
      if (range[0] <= index && index <= range[1]) {
        table.pageLoaded.awaitUninterruptibly();
        return true;
      }
    }
    return false;
  }

  static boolean overlapsBypass(CachedVolume volume, long[] range) {
    for (long[] other : volume.bypasses) {
      if (other[0] <= range[1] && range[0] <= other[1]) {
        return true;
      }
    }
    return false;
  }
}
