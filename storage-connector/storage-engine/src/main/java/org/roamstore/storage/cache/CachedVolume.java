package org.roamstore.storage.cache;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.volume.BackingFile;

/**
 * One volume's view of the cache memory. Reads and writes take any offset and length inside the
 * volume; the cache splits them into pages.
 */
public final class CachedVolume {
  final CacheMemory cache;
  final BackingFile file;
  private final long sizeBytes;

  // Guarded by cache.table.lock (the page table's).
  final Map<Long, CachePage> pages = new HashMap<>();
  final TreeSet<Long> dirty = new TreeSet<>();
  boolean detached;
  long destageCursor;
  // Page ranges [first, last] being written around the cache; no page of them may appear meanwhile.
  final List<long[]> bypasses = new ArrayList<>();

  /** Serializes file writes of this volume: the destager's and flushes'. */
  final ReentrantLock destageLock = new ReentrantLock();

  // What a destage writes: a copy of one run of pages (guarded by destageLock; made when first
  // needed, so a volume never destaged costs nothing).
  private ByteBuffer staging;

  CachedVolume(CacheMemory cache, BackingFile file) {
    this.cache = cache;
    this.file = file;
    this.sizeBytes = file.sizeBytes();
  }

  public long sizeBytes() {
    return sizeBytes;
  }

  /** The destage copy buffer; the caller holds {@link #destageLock}. */
  ByteBuffer staging() {
    if (staging == null) {
      staging = ByteBuffer.allocateDirect(Destager.MAX_RUN_PAGES * CacheMemory.PAGE_SIZE);
    }
    return staging;
  }

  /** Fills the remaining bytes of {@code dst} from {@code offset}. */
  public void read(long offset, ByteBuffer dst) {
    checkRange(offset, dst.remaining());
    cache.read(this, offset, dst);
  }

  /**
   * Reads what the volume holds, bypassing the cache: the file with the dirty pages over it (see
   * {@link CacheMemory#readStored}); for an online verify.
   */
  public void readStored(long offset, ByteBuffer dst) {
    checkRange(offset, dst.remaining());
    cache.readStored(this, offset, dst);
  }

  /**
   * Stores the remaining bytes of {@code src} at {@code offset}. Returns when they are in the
   * cache; waits for the destager when the cache is full of dirty data.
   */
  public void write(long offset, ByteBuffer src) {
    checkRange(offset, src.remaining());
    cache.write(this, offset, src);
  }

  /**
   * Puts what the cache holds of a range into the file (not forced): a write acknowledged after
   * this survives a crash of this process. For SYNC groups, whose acknowledgement promises more
   * than the write-back cache keeps.
   */
  public void writeOut(long offset, long length) {
    checkRange(offset, length);
    cache.destager.writeOut(this, offset, length);
  }

  /**
   * Stores zeros over a range. The whole pages in it become a hole in the file where the file can
   * punch one (their cached copies are dropped); the pages at either end, and everything if it
   * cannot, are written as zeros through the cache.
   */
  public void writeZeroes(long offset, long length) {
    checkRange(offset, length);
    long end = offset + length;
    long firstWhole = Math.min(end, ceilPage(offset));
    long endWhole = end == sizeBytes ? end : end - end % CacheMemory.PAGE_SIZE;
    if (firstWhole < endWhole && cache.holes.deallocate(this, firstWhole, endWhole)) {
      writeZeroPages(offset, firstWhole);
      writeZeroPages(endWhole, end);
    } else {
      writeZeroPages(offset, end);
    }
  }

  /** Stores zeros over a range and keeps it allocated in the file (no hole). */
  public void writeAllocatedZeroes(long offset, long length) {
    checkRange(offset, length);
    writeZeroPages(offset, offset + length);
  }

  /** Whether {@link #writeZeroes} of whole pages punches a hole rather than writing zeros. */
  public boolean zeroesPunchHoles() {
    return file.canPunchHoles();
  }

  private void writeZeroPages(long from, long to) {
    ByteBuffer zeros = CacheMemory.ZEROS.duplicate();
    long pos = from;
    while (pos < to) {
      int n = (int) Math.min(zeros.capacity(), to - pos);
      cache.write(this, pos, zeros.clear().limit(n));
      pos += n;
    }
  }

  private static long ceilPage(long offset) {
    long rest = offset % CacheMemory.PAGE_SIZE;
    return rest == 0 ? offset : offset + CacheMemory.PAGE_SIZE - rest;
  }

  /** A run of the volume that is allocated data, or a hole that reads as zeros. */
  public record Extent(long length, boolean hole) {}

  /**
   * How {@code [offset, offset + length)} is allocated, from its start: consecutive extents, at
   * most {@code maxExtents}, covering the range or a prefix of it. A hole is a hole of the file
   * that no dirty page of the cache covers; anything else is data (which may still read as zeros).
   *
   * <p>The dirty pages are looked at before the file: a page destaged in between is then data both
   * ways, never a hole. The other order could miss it (a hole in the file, then clean in the
   * cache). Writes that start during the call may or may not show, as with any concurrent read.
   */
  public List<Extent> allocation(long offset, long length, int maxExtents) {
    checkRange(offset, length);
    long end = offset + length;
    long[] inMemory = cache.holes.unwrittenPages(this, offset / CacheMemory.PAGE_SIZE, end);
    List<Extent> extents = new ArrayList<>();
    long pos = offset;
    try {
      while (pos < end && extents.size() < maxExtents) {
        long data = Math.min(end, file.nextData(pos));
        if (data > pos) {
          addHole(extents, inMemory, pos, data);
          pos = data;
        } else {
          long hole = Math.min(end, Math.max(pos + 1, file.nextHole(pos)));
          add(extents, hole - pos, false);
          pos = hole;
        }
      }
    } catch (java.io.IOException e) {
      throw new StorageException(
          Reason.IO_ERROR, "cannot read the volume's allocation: " + e.getMessage(), e);
    }
    return extents.size() > maxExtents ? extents.subList(0, maxExtents) : extents;
  }

  /** Adds the hole {@code [from, to)}, as data where a page in memory covers it. */
  private static void addHole(List<Extent> extents, long[] inMemory, long from, long to) {
    long pos = from;
    int i = Arrays.binarySearch(inMemory, from / CacheMemory.PAGE_SIZE);
    for (i = i < 0 ? -i - 1 : i; i < inMemory.length && pos < to; i++) {
      long pageStart = inMemory[i] * CacheMemory.PAGE_SIZE;
      if (pageStart >= to) {
        break;
      }
      long dataFrom = Math.max(pos, pageStart);
      long dataTo = Math.min(to, pageStart + CacheMemory.PAGE_SIZE);
      add(extents, dataFrom - pos, true);
      add(extents, dataTo - dataFrom, false);
      pos = dataTo;
    }
    add(extents, to - pos, true);
  }

  private static void add(List<Extent> extents, long length, boolean hole) {
    if (length <= 0) {
      return;
    }
    int last = extents.size() - 1;
    if (last >= 0 && extents.get(last).hole() == hole) {
      extents.set(last, new Extent(extents.get(last).length() + length, hole));
    } else {
      extents.add(new Extent(length, hole));
    }
  }

  /** Returns once every write that returned before this call is on stable storage. */
  public void flush() {
    cache.destager.flush(this);
  }

  public void checkRange(long offset, long length) {
    if (offset < 0 || length < 0) {
      throw new StorageException(
          Reason.INVALID_ARGUMENT,
          "offset and length must not be negative (offset " + offset + ", length " + length + ")");
    }
    if (offset > sizeBytes || length > sizeBytes - offset) {
      throw new StorageException(
          Reason.OUT_OF_RANGE,
          "range "
              + offset
              + "+"
              + length
              + " goes past the end of the volume ("
              + sizeBytes
              + " bytes)");
    }
  }
}
