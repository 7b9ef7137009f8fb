package org.roamstore.storage.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.volume.BackingFile;

/**
 * The cache memory of one storage control unit, shared by all its volumes.
 *
 * <p>One lock guards all bookkeeping; it is held only for map operations and page-sized copies,
 * never for file I/O. Pages are filled from the file outside the lock (marked loading meanwhile),
 * and the destager writes page buffers outside the lock, using the page version to notice writes
 * that raced with it. Only clean pages sit in the LRU list, so eviction cannot lose dirty data; a
 * writer that finds no clean page waits for the destager, and a reader reads around the cache.
 *
 * <p>This class keeps the volumes' reads and writes; the bookkeeping is the {@link PageTable}'s,
 * the writing of dirty pages the {@link Destager}'s, large writes straight to the file {@link
 * DirectWrites}' and hole punching {@link Holes}'.
 */
public final class CacheMemory implements AutoCloseable {
  public static final int PAGE_SIZE = 4096;
  public static final long DEFAULT_CAPACITY_BYTES = 256L << 20;
  public static final long MIN_CAPACITY_BYTES = 16L * PAGE_SIZE;

  static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

  final PageTable table;
  final Destager destager;
  final DirectWrites direct;
  final Holes holes;

  public CacheMemory(long capacityBytes) {
    long bytes = capacityBytes <= 0 ? DEFAULT_CAPACITY_BYTES : capacityBytes;
    if (bytes < MIN_CAPACITY_BYTES) {
      throw new StorageException(
          Reason.INVALID_ARGUMENT,
          "cache memory must be at least " + MIN_CAPACITY_BYTES + " bytes, got " + capacityBytes);
    }
    this.table = new PageTable((int) Math.min(Integer.MAX_VALUE, bytes / PAGE_SIZE));
    this.destager = new Destager(table);
    this.direct = new DirectWrites(table);
    this.holes = new Holes(table, direct);
  }

  /** Starts the background destager on a long-lived thread of {@code executor}. */
  public void start(Executor executor) {
    destager.start(executor);
  }

  public CachedVolume attach(BackingFile file) {
    CachedVolume volume = new CachedVolume(this, file);
    table.lock.lock();
    try {
      table.checkOpen();
      table.volumes.add(volume);
    } finally {
      table.lock.unlock();
    }
    return volume;
  }

  /**
   * Takes a volume out of the cache. With {@code discard} its dirty data is dropped (the volume is
   * being deleted); otherwise it is written and forced first.
   */
  public void detach(CachedVolume volume, boolean discard) {
    volume.destageLock.lock();
    try {
      if (!discard) {
        destager.flush(volume);
      }
      table.lock.lock();
      try {
        table.forget(volume);
      } finally {
        table.lock.unlock();
      }
    } finally {
      volume.destageLock.unlock();
    }
  }

  public long capacityBytes() {
    return (long) table.capacityPages * PAGE_SIZE;
  }

  public long dirtyBytes() {
    table.lock.lock();
    try {
      return (long) table.dirtyPages * PAGE_SIZE;
    } finally {
      table.lock.unlock();
    }
  }

  /** Stops the destager and writes and forces every volume's dirty data. */
  @Override
  public void close() {
    List<CachedVolume> toFlush;
    boolean waitForDestager;
    table.lock.lock();
    try {
      if (table.closing) {
        return;
      }
      table.closing = true;
      waitForDestager = destager.started();
      table.destageWanted.signalAll();
      table.pageFreed.signalAll();
      toFlush = new ArrayList<>(table.volumes);
    } finally {
      table.lock.unlock();
    }
    if (waitForDestager) {
      destager.awaitStopped();
    }
    StorageException failure = null;
    for (CachedVolume volume : toFlush) {
      try {
        destager.flush(volume);
      } catch (StorageException e) {
        failure = e;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  // ---- reads and writes (called by CachedVolume after range checks) ----

  void read(CachedVolume volume, long offset, ByteBuffer dst) {
    long pos = offset;
    while (dst.hasRemaining()) {
      long index = pos / PAGE_SIZE;
      int inPage = (int) (pos % PAGE_SIZE);
      int n = Math.min(PAGE_SIZE - inPage, dst.remaining());
      table.lock.lock();
      try {
        readPage(volume, index, inPage, n, dst);
      } finally {
        table.lock.unlock();
      }
      pos += n;
    }
  }

  private void readPage(CachedVolume volume, long index, int inPage, int n, ByteBuffer dst) {
    while (true) {
      PageTable.checkAttached(volume);
      CachePage page = volume.pages.get(index);
      if (page == null) {
        if (!volume.bypasses.isEmpty() && direct.waitedForBypass(volume, index)) {
          continue;
        }
        ByteBuffer buffer = table.takeBuffer(false);
        if (buffer == null) {
          readAround(volume, index * PAGE_SIZE + inPage, n, dst);
          return;
        }
        table.load(volume, index, buffer);
        continue;
      }
      if (page.loading) {
        table.pageLoaded.awaitUninterruptibly();
        continue;
      }
      int at = dst.position();
      dst.put(at, page.data, inPage, n);
      dst.position(at + n);
      if (!page.dirty) {
        PageTable.unlinkLru(page);
        table.linkNewest(page);
      }
      return;
    }
  }

  /**
   * What the volume holds in a range, as an online verify compares it: the file's bytes with the
   * dirty pages laid over them, loading nothing into the cache. Clean pages would hide a difference
   * that is on disk, and a verify pass through the cache would evict the users' pages. The caller
   * keeps writes out of the range meanwhile; the destager may go on, since a page it marks clean is
   * in the file by then, and one it is writing is still dirty when the snapshot is taken.
   */
  void readStored(CachedVolume volume, long offset, ByteBuffer dst) {
    int length = dst.remaining();
    long first = offset / PAGE_SIZE;
    long last = (offset + length - 1) / PAGE_SIZE;
    List<CachePage> dirty = new ArrayList<>();
    List<byte[]> snapshots = new ArrayList<>();
    table.lock.lock();
    try {
      PageTable.checkAttached(volume);
      for (long index = first; length > 0 && index <= last; index++) {
        CachePage page = volume.pages.get(index);
        if (page != null && page.dirty) {
          byte[] copy = new byte[page.length()];
          page.data.duplicate().clear().get(copy);
          dirty.add(page);
          snapshots.add(copy);
        }
      }
    } finally {
      table.lock.unlock();
    }
    int at = dst.position();
    try {
      volume.file.read(dst.duplicate().limit(at + length), offset);
    } catch (IOException e) {
      throw new StorageException(Reason.IO_ERROR, "cannot read volume: " + e.getMessage(), e);
    }
    for (int i = 0; i < dirty.size(); i++) {
      long pageStart = dirty.get(i).position();
      long from = Math.max(pageStart, offset);
      long to = Math.min(pageStart + snapshots.get(i).length, offset + length);
      if (from < to) {
        dst.put(
            at + (int) (from - offset),
            snapshots.get(i),
            (int) (from - pageStart),
            (int) (to - from));
      }
    }
    dst.position(at + length);
  }

  /**
   * With the cache full of dirty data a read goes straight to the file: every acknowledged write
   * not in the cache is already in the file, because only clean pages are ever evicted.
   */
  private void readAround(CachedVolume volume, long position, int n, ByteBuffer dst) {
    int at = dst.position();
    table.lock.unlock();
    try {
      volume.file.read(dst.duplicate().limit(at + n), position);
    } catch (IOException e) {
      throw new StorageException(Reason.IO_ERROR, "cannot read volume: " + e.getMessage(), e);
    } finally {
      table.lock.lock();
    }
    dst.position(at + n);
  }

  void write(CachedVolume volume, long offset, ByteBuffer src) {
    if (src.remaining() >= DirectWrites.BYPASS_BYTES && direct.writeAround(volume, offset, src)) {
      return;
    }
    long pos = offset;
    while (src.hasRemaining()) {
      long index = pos / PAGE_SIZE;
      int inPage = (int) (pos % PAGE_SIZE);
      int n = Math.min(PAGE_SIZE - inPage, src.remaining());
      table.lock.lock();
      try {
        boolean wholePage = inPage == 0 && n == PageTable.pageLength(volume, index);
        CachePage page = pageForWrite(volume, index, wholePage);
        int at = src.position();
        page.data.put(inPage, src, at, n);
        src.position(at + n);
        table.written(page);
      } finally {
        table.lock.unlock();
      }
      pos += n;
    }
  }

  private CachePage pageForWrite(CachedVolume volume, long index, boolean wholePage) {
    while (true) {
      PageTable.checkAttached(volume);
      CachePage page = volume.pages.get(index);
      if (page != null) {
        if (page.loading) {
          table.pageLoaded.awaitUninterruptibly();
          continue;
        }
        return page;
      }
      if (!volume.bypasses.isEmpty() && direct.waitedForBypass(volume, index)) {
        continue;
      }
      ByteBuffer buffer = table.takeBuffer(true);
      if (buffer == null) {
        continue; // waited for space; look again, things have moved
      }
      if (wholePage) {
        // Nothing of the old content survives, so there is nothing to read first.
        page = new CachePage(volume, index, buffer);
        volume.pages.put(index, page);
        return page;
      }
      table.load(volume, index, buffer);
    }
  }
}
