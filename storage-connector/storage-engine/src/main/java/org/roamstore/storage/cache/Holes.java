package org.roamstore.storage.cache;

import java.io.IOException;
import java.util.TreeSet;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;

/**
 * Zeroing by punching holes in the file, and which pages may not be in the file yet (so a hole
 * there is not one): what {@link CachedVolume#writeZeroes} and {@link CachedVolume#allocation} need
 * of the cache.
 */
final class Holes {
  private final PageTable table;
  private final DirectWrites direct;

  Holes(PageTable table, DirectWrites direct) {
    this.table = table;
    this.direct = direct;
  }

  /**
   * Zeros whole pages {@code [from, to)} by punching a hole in the file. The range's pages are
   * dropped (dirty ones too: their data is being zeroed) and no page of it can appear until the
   * hole is punched, so nothing cached can hide the hole or write old data over it; the volume's
   * destage lock keeps the destager from writing a dropped page meanwhile. Returns false, having
   * changed no byte the volume reads, if the file cannot punch holes: the caller writes zeros.
   */
  boolean deallocate(CachedVolume volume, long from, long to) {
    if (!volume.file.canPunchHoles()) {
      return false;
    }
    long[] range = {from / CacheMemory.PAGE_SIZE, (to - 1) / CacheMemory.PAGE_SIZE};
    volume.destageLock.lock();
    try {
      table.lock.lock();
      try {
        while (true) {
          PageTable.checkAttached(volume);
          if (!DirectWrites.overlapsBypass(volume, range)) {
            break;
          }
          table.pageLoaded.awaitUninterruptibly();
        }
        volume.bypasses.add(range);
        table.dropPages(volume, range[0], range[1]);
      } finally {
        table.lock.unlock();
      }
      try {
        // If this is false, the dropped pages were clean or held data now being zeroed: the caller
        // writes zeros over them before the request completes.
        return volume.file.punchHole(from, to - from);
      } catch (IOException e) {
        throw new StorageException(Reason.IO_ERROR, "cannot punch a hole: " + e.getMessage(), e);
      } finally {
        direct.endBypass(volume, range);
      }
    } finally {
      volume.destageLock.unlock();
    }
  }

  /**
   * The pages from {@code firstPage} up to the byte {@code end} whose data may not be in the file
   * yet (dirty, or being written around the cache), in ascending order.
   */
  long[] unwrittenPages(CachedVolume volume, long firstPage, long end) {
    long lastPage = (end - 1) / CacheMemory.PAGE_SIZE;
    table.lock.lock();
    try {
      PageTable.checkAttached(volume);
      TreeSet<Long> found = new TreeSet<>();
      if (end > firstPage * CacheMemory.PAGE_SIZE) {
        found.addAll(volume.dirty.subSet(firstPage, true, lastPage, true));
        for (long[] range : volume.bypasses) {
          for (long i = Math.max(firstPage, range[0]); i <= Math.min(lastPage, range[1]); i++) {
            found.add(i);
          }
        }
      }
      return found.stream().mapToLong(Long::longValue).toArray();
    } finally {
      table.lock.unlock();
    }
  }
}
