package org.roamstore.storage.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;

/**
 * The cache memory's bookkeeping: which pages are held for which volume, which are dirty, the LRU
 * list of clean pages and the page buffers. Everything here is guarded by {@link #lock}, which is
 * held only for map operations and page-sized copies, never for file I/O (a page loads with the
 * lock dropped, marked loading meanwhile). Only clean pages sit in the LRU list, so eviction cannot
 * lose dirty data.
 */
final class PageTable {
  // Memory is taken from the JVM only as the cache fills, a slab at a time.
  private static final int SLAB_PAGES = 256;

  final ReentrantLock lock = new ReentrantLock();
  final Condition pageFreed = lock.newCondition();
  final Condition pageLoaded = lock.newCondition();
  final Condition destageWanted = lock.newCondition();

  final int capacityPages;
  final int highWaterPages;
  private int allocatedPages;
  private final ArrayDeque<ByteBuffer> freeBuffers = new ArrayDeque<>();
  // Circular list of clean pages: lru.newer is the oldest, lru.older the newest.
  private final CachePage lru = new CachePage(null, -1, null);
  int dirtyPages;
  int waitingForSpace;
  final List<CachedVolume> volumes = new ArrayList<>();
  boolean closing;
  IOException destageFailure;

  PageTable(int capacityPages) {
    this.capacityPages = capacityPages;
    this.highWaterPages = Math.max(1, capacityPages / 4);
    lru.older = lru;
    lru.newer = lru;
  }

  /** Frees every page of a detached volume; lock held. */
  void forget(CachedVolume volume) {
    for (CachePage page : volume.pages.values()) {
      if (page.loading) {
        continue; // the loader sees the page gone and frees the buffer itself
      }
      unlinkLru(page);
      if (page.dirty) {
        dirtyPages--;
      }
      freeBuffers.push(page.data);
    }
    volume.pages.clear();
    volume.dirty.clear();
    volume.detached = true;
    volumes.remove(volume);
    pageFreed.signalAll();
    pageLoaded.signalAll();
  }

  /** Fills a new page from the file; called and returns with the lock held, drops it meanwhile. */
  void load(CachedVolume volume, long index, ByteBuffer buffer) {
    CachePage page = new CachePage(volume, index, buffer);
    page.loading = true;
    volume.pages.put(index, page);
    IOException failure = null;
    lock.unlock();
    try {
      volume.file.read(buffer.duplicate().clear().limit(page.length()), page.position());
    } catch (IOException e) {
      failure = e;
    } finally {
      lock.lock();
    }
    page.loading = false;
    pageLoaded.signalAll();
    if (failure != null || volume.pages.get(index) != page) {
      if (volume.pages.get(index) == page) {
        volume.pages.remove(index);
      }
      freeBuffers.push(buffer);
      pageFreed.signalAll();
      if (failure != null) {
        throw new StorageException(
            Reason.IO_ERROR, "cannot read volume: " + failure.getMessage(), failure);
      }
      checkAttached(volume);
      return;
    }
    linkNewest(page);
  }

  /**
   * A free page buffer: never used, recycled, or taken from the oldest clean page. When every page
   * is dirty, returns null at once ({@code wait} false) or after waiting for the destager.
   */
  ByteBuffer takeBuffer(boolean wait) {
    ByteBuffer buffer = freeBuffers.poll();
    if (buffer != null) {
      return buffer;
    }
    if (allocatedPages < capacityPages) {
      int n = Math.min(SLAB_PAGES, capacityPages - allocatedPages);
      ByteBuffer slab = ByteBuffer.allocateDirect(n * CacheMemory.PAGE_SIZE);
      for (int i = 0; i < n; i++) {
        freeBuffers.push(slab.slice(i * CacheMemory.PAGE_SIZE, CacheMemory.PAGE_SIZE));
      }
      allocatedPages += n;
      return freeBuffers.poll();
    }
    CachePage victim = lru.newer;
    if (victim != lru) {
      unlinkLru(victim);
      victim.volume.pages.remove(victim.index);
      return victim.data;
    }
    if (!wait) {
      return null;
    }
    if (destageFailure != null) {
      throw new StorageException(
          Reason.IO_ERROR,
          "cache memory is full and the destager cannot write: " + destageFailure.getMessage(),
          destageFailure);
    }
    checkOpen();
    waitingForSpace++;
    destageWanted.signal();
    try {
      pageFreed.await(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException(Reason.IO_ERROR, "interrupted while waiting for cache space");
    } finally {
      waitingForSpace--;
    }
    return null;
  }

  /** Records a write into a page (lock held): a new version, and dirty if it was clean. */
  void written(CachePage page) {
    page.version++;
    if (!page.dirty) {
      unlinkLru(page);
      page.dirty = true;
      page.volume.dirty.add(page.index);
      dirtyPages++;
      if (dirtyPages == 1 || dirtyPages == highWaterPages + 1) {
        destageWanted.signal();
      }
    }
  }

  /**
   * Marks the pages of a run clean that no write touched after their copy was taken at {@code
   * versions} (lock held), and wakes writers waiting for space.
   */
  void destaged(CachedVolume volume, List<CachePage> run, int[] versions) {
    destageFailure = null;
    for (int k = 0; k < versions.length; k++) {
      CachePage page = run.get(k);
      if (page.dirty && page.version == versions[k] && volume.pages.get(page.index) == page) {
        page.dirty = false;
        volume.dirty.remove(page.index);
        dirtyPages--;
        linkNewest(page);
      }
    }
    pageFreed.signalAll();
  }

  /** Takes the pages {@code [first, last]} out of the cache; lock held. */
  void dropPages(CachedVolume volume, long first, long last) {
    List<CachePage> doomed = new ArrayList<>();
    if (last - first + 1 > volume.pages.size()) {
      for (CachePage page : volume.pages.values()) {
        if (page.index >= first && page.index <= last) {
          doomed.add(page);
        }
      }
    } else {
      for (long i = first; i <= last; i++) {
        CachePage page = volume.pages.get(i);
        if (page != null) {
          doomed.add(page);
        }
      }
    }
    for (CachePage page : doomed) {
      volume.pages.remove(page.index);
      if (page.loading) {
        continue; // the loader sees the page gone and frees the buffer itself
      }
      unlinkLru(page);
      if (page.dirty) {
        page.dirty = false;
        volume.dirty.remove(page.index);
        dirtyPages--;
      }
      freeBuffers.push(page.data);
    }
    if (!doomed.isEmpty()) {
      pageFreed.signalAll();
    }
  }

  static int pageLength(CachedVolume volume, long index) {
    return (int)
        Math.min(CacheMemory.PAGE_SIZE, volume.sizeBytes() - index * CacheMemory.PAGE_SIZE);
  }

  void linkNewest(CachePage page) {
    page.older = lru.older;
    page.newer = lru;
    lru.older.newer = page;
    lru.older = page;
  }

  static void unlinkLru(CachePage page) {
    if (page.older == null) {
      return;
    }
    page.older.newer = page.newer;
    page.newer.older = page.older;
    page.older = null;
    page.newer = null;
  }

  static void checkAttached(CachedVolume volume) {
    if (volume.detached) {
      throw new StorageException(Reason.UNKNOWN_VOLUME, "the volume was deleted");
    }
  }

  void checkOpen() {
    if (closing) {
      throw new StorageException(Reason.CLOSED, "the cache memory is closed");
    }
  }
}
