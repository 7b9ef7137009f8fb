package org.roamstore.storage.cache;

import java.nio.ByteBuffer;
import java.util.ArrayList;
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

  // Guarded by cache.lock.
  final Map<Long, CachePage> pages = new HashMap<>();
  final TreeSet<Long> dirty = new TreeSet<>();
  boolean detached;
  long destageCursor;
  // Page ranges [first, last] being written around the cache; no page of them may appear meanwhile.
  final List<long[]> bypasses = new ArrayList<>();

  /** Serializes file writes of this volume: the destager's and flushes'. */
  final ReentrantLock destageLock = new ReentrantLock();

  CachedVolume(CacheMemory cache, BackingFile file) {
    this.cache = cache;
    this.file = file;
    this.sizeBytes = file.sizeBytes();
  }

  public long sizeBytes() {
    return sizeBytes;
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

  /** Stores zeros over a range. */
  public void writeZeroes(long offset, long length) {
    checkRange(offset, length);
    ByteBuffer zeros = CacheMemory.ZEROS.duplicate();
    long pos = offset;
    long end = offset + length;
    while (pos < end) {
      int n = (int) Math.min(zeros.capacity(), end - pos);
      cache.write(this, pos, zeros.clear().limit(n));
      pos += n;
    }
  }

  /** Returns once every write that returned before this call is on stable storage. */
  public void flush() {
    cache.flush(this);
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
