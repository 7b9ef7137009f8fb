package org.roamstore.storage.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
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
 */
public final class CacheMemory implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(CacheMemory.class.getName());

  public static final int PAGE_SIZE = 4096;
  public static final long DEFAULT_CAPACITY_BYTES = 256L << 20;
  public static final long MIN_CAPACITY_BYTES = 16L * PAGE_SIZE;

  static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

  // Memory is taken from the JVM only as the cache fills, a slab at a time.
  private static final int SLAB_PAGES = 256;
  // One file write per run of adjacent dirty pages, at most this long (1 MiB).
  static final int MAX_RUN_PAGES = 256;
  // Per volume per destager round, so one busy volume cannot starve the others.
  private static final int DESTAGE_BATCH_PAGES = 4096;
  // Whole-page writes at least this large go straight to the file when none of their pages is
  // cached: streaming data through the cache would only add a copy and evict useful pages.
  static final int BYPASS_BYTES = 128 * 1024;
  // Below the high-water mark the destager lingers, so adjacent writes can gather into runs.
  private static final long LINGER_MILLIS = 100;

  final ReentrantLock lock = new ReentrantLock();
  private final Condition pageFreed = lock.newCondition();
  private final Condition pageLoaded = lock.newCondition();
  private final Condition destageWanted = lock.newCondition();

  private final int capacityPages;
  private final int highWaterPages;
  private int allocatedPages;
  private final ArrayDeque<ByteBuffer> freeBuffers = new ArrayDeque<>();
  // Circular list of clean pages: lru.newer is the oldest, lru.older the newest.
  private final CachePage lru = new CachePage(null, -1, null);
  private int dirtyPages;
  private int waitingForSpace;
  private final List<CachedVolume> volumes = new ArrayList<>();
  private boolean closing;
  private IOException destageFailure;
  private final CountDownLatch destagerStopped = new CountDownLatch(1);
  private boolean destagerStarted;

  public CacheMemory(long capacityBytes) {
    long bytes = capacityBytes <= 0 ? DEFAULT_CAPACITY_BYTES : capacityBytes;
    if (bytes < MIN_CAPACITY_BYTES) {
      throw new StorageException(
          Reason.INVALID_ARGUMENT,
          "cache memory must be at least " + MIN_CAPACITY_BYTES + " bytes, got " + capacityBytes);
    }
    this.capacityPages = (int) Math.min(Integer.MAX_VALUE, bytes / PAGE_SIZE);
    this.highWaterPages = Math.max(1, capacityPages / 4);
    lru.older = lru;
    lru.newer = lru;
  }

  /** Starts the background destager on a long-lived thread of {@code executor}. */
  public void start(Executor executor) {
    lock.lock();
    try {
      if (destagerStarted || closing) {
        throw new IllegalStateException("destager already started or cache closed");
      }
      destagerStarted = true;
    } finally {
      lock.unlock();
    }
    executor.execute(this::destageLoop);
  }

  public CachedVolume attach(BackingFile file) {
    CachedVolume volume = new CachedVolume(this, file);
    lock.lock();
    try {
      checkOpen();
      volumes.add(volume);
    } finally {
      lock.unlock();
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
        flush(volume);
      }
      lock.lock();
      try {
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
      } finally {
        lock.unlock();
      }
    } finally {
      volume.destageLock.unlock();
    }
  }

  public long capacityBytes() {
    return (long) capacityPages * PAGE_SIZE;
  }

  public long dirtyBytes() {
    lock.lock();
    try {
      return (long) dirtyPages * PAGE_SIZE;
    } finally {
      lock.unlock();
    }
  }

  /** Stops the destager and writes and forces every volume's dirty data. */
  @Override
  public void close() {
    List<CachedVolume> toFlush;
    boolean waitForDestager;
    lock.lock();
    try {
      if (closing) {
        return;
      }
      closing = true;
      waitForDestager = destagerStarted;
      destageWanted.signalAll();
      pageFreed.signalAll();
      toFlush = new ArrayList<>(volumes);
    } finally {
      lock.unlock();
    }
    if (waitForDestager) {
      try {
        if (!destagerStopped.await(60, TimeUnit.SECONDS)) {
          LOG.warning("destager did not stop within 60 s; flushing anyway");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    StorageException failure = null;
    for (CachedVolume volume : toFlush) {
      try {
        flush(volume);
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
      lock.lock();
      try {
        readPage(volume, index, inPage, n, dst);
      } finally {
        lock.unlock();
      }
      pos += n;
    }
  }

  private void readPage(CachedVolume volume, long index, int inPage, int n, ByteBuffer dst) {
    while (true) {
      checkAttached(volume);
      CachePage page = volume.pages.get(index);
      if (page == null) {
        if (!volume.bypasses.isEmpty() && waitedForBypass(volume, index)) {
          continue;
        }
        ByteBuffer buffer = takeBuffer(false);
        if (buffer == null) {
          readAround(volume, index * PAGE_SIZE + inPage, n, dst);
          return;
        }
        load(volume, index, buffer);
        continue;
      }
      if (page.loading) {
        pageLoaded.awaitUninterruptibly();
        continue;
      }
      int at = dst.position();
      dst.put(at, page.data, inPage, n);
      dst.position(at + n);
      if (!page.dirty) {
        unlinkLru(page);
        linkNewest(page);
      }
      return;
    }
  }

  /**
   * With the cache full of dirty data a read goes straight to the file: every acknowledged write
   * not in the cache is already in the file, because only clean pages are ever evicted.
   */
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
    lock.lock();
    try {
      checkAttached(volume);
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
      lock.unlock();
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

  private void readAround(CachedVolume volume, long position, int n, ByteBuffer dst) {
    int at = dst.position();
    lock.unlock();
    try {
      volume.file.read(dst.duplicate().limit(at + n), position);
    } catch (IOException e) {
      throw new StorageException(Reason.IO_ERROR, "cannot read volume: " + e.getMessage(), e);
    } finally {
      lock.lock();
    }
    dst.position(at + n);
  }

  void write(CachedVolume volume, long offset, ByteBuffer src) {
    if (src.remaining() >= BYPASS_BYTES && writeAround(volume, offset, src)) {
      return;
    }
    long pos = offset;
    while (src.hasRemaining()) {
      long index = pos / PAGE_SIZE;
      int inPage = (int) (pos % PAGE_SIZE);
      int n = Math.min(PAGE_SIZE - inPage, src.remaining());
      lock.lock();
      try {
        boolean wholePage = inPage == 0 && n == pageLength(volume, index);
        CachePage page = pageForWrite(volume, index, wholePage);
        int at = src.position();
        page.data.put(inPage, src, at, n);
        src.position(at + n);
        page.version++;
        if (!page.dirty) {
          unlinkLru(page);
          page.dirty = true;
          volume.dirty.add(index);
          dirtyPages++;
          if (dirtyPages == 1 || dirtyPages == highWaterPages + 1) {
            destageWanted.signal();
          }
        }
      } finally {
        lock.unlock();
      }
      pos += n;
    }
  }

  /**
   * Writes whole pages straight to the file if none of them is cached; returns false (having done
   * nothing) otherwise. While the file write runs, no page of the range can be created, so no page
   * loaded halfway through it can later hide or overwrite its data.
   */
  private boolean writeAround(CachedVolume volume, long offset, ByteBuffer src) {
    long end = offset + src.remaining();
    if (offset % PAGE_SIZE != 0 || (end % PAGE_SIZE != 0 && end != volume.sizeBytes())) {
      return false;
    }
    long[] range = {offset / PAGE_SIZE, (end - 1) / PAGE_SIZE};
    lock.lock();
    try {
      checkAttached(volume);
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
      lock.unlock();
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
  private void endBypass(CachedVolume volume, long[] range) {
    lock.lock();
    try {
      volume.bypasses.remove(range);
      pageLoaded.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** True (after waiting) if the page is inside a write around the cache; look again then. */
  private boolean waitedForBypass(CachedVolume volume, long index) {
    for (long[] range : volume.bypasses) {
      if (range[0] <= index && index <= range[1]) {
        pageLoaded.awaitUninterruptibly();
        return true;
      }
    }
    return false;
  }

  private CachePage pageForWrite(CachedVolume volume, long index, boolean wholePage) {
    while (true) {
      checkAttached(volume);
      CachePage page = volume.pages.get(index);
      if (page != null) {
        if (page.loading) {
          pageLoaded.awaitUninterruptibly();
          continue;
        }
        return page;
      }
      if (!volume.bypasses.isEmpty() && waitedForBypass(volume, index)) {
        continue;
      }
      ByteBuffer buffer = takeBuffer(true);
      if (buffer == null) {
        continue; // waited for space; look again, things have moved
      }
      if (wholePage) {
        // Nothing of the old content survives, so there is nothing to read first.
        page = new CachePage(volume, index, buffer);
        volume.pages.put(index, page);
        return page;
      }
      load(volume, index, buffer);
    }
  }

  /** Fills a new page from the file; called and returns with the lock held, drops it meanwhile. */
  private void load(CachedVolume volume, long index, ByteBuffer buffer) {
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
  private ByteBuffer takeBuffer(boolean wait) {
    ByteBuffer buffer = freeBuffers.poll();
    if (buffer != null) {
      return buffer;
    }
    if (allocatedPages < capacityPages) {
      int n = Math.min(SLAB_PAGES, capacityPages - allocatedPages);
      ByteBuffer slab = ByteBuffer.allocateDirect(n * PAGE_SIZE);
      for (int i = 0; i < n; i++) {
        freeBuffers.push(slab.slice(i * PAGE_SIZE, PAGE_SIZE));
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

  // ---- holes ----

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
    long[] range = {from / PAGE_SIZE, (to - 1) / PAGE_SIZE};
    volume.destageLock.lock();
    try {
      lock.lock();
      try {
        while (true) {
          checkAttached(volume);
          if (!overlapsBypass(volume, range)) {
            break;
          }
          pageLoaded.awaitUninterruptibly();
        }
        volume.bypasses.add(range);
        dropPages(volume, range[0], range[1]);
      } finally {
        lock.unlock();
      }
      try {
        // If this is false, the dropped pages were clean or held data now being zeroed: the caller
        // writes zeros over them before the request completes.
        return volume.file.punchHole(from, to - from);
      } catch (IOException e) {
        throw new StorageException(Reason.IO_ERROR, "cannot punch a hole: " + e.getMessage(), e);
      } finally {
        endBypass(volume, range);
      }
    } finally {
      volume.destageLock.unlock();
    }
  }

  private static boolean overlapsBypass(CachedVolume volume, long[] range) {
    for (long[] other : volume.bypasses) {
      if (other[0] <= range[1] && range[0] <= other[1]) {
        return true;
      }
    }
    return false;
  }

  /** Takes the pages {@code [first, last]} out of the cache; lock held. */
  private void dropPages(CachedVolume volume, long first, long last) {
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

  /**
   * The pages from {@code firstPage} up to the byte {@code end} whose data may not be in the file
   * yet (dirty, or being written around the cache), in ascending order.
   */
  long[] unwrittenPages(CachedVolume volume, long firstPage, long end) {
    long lastPage = (end - 1) / PAGE_SIZE;
    lock.lock();
    try {
      checkAttached(volume);
      java.util.TreeSet<Long> found = new java.util.TreeSet<>();
      if (end > firstPage * PAGE_SIZE) {
        found.addAll(volume.dirty.subSet(firstPage, true, lastPage, true));
        for (long[] range : volume.bypasses) {
          for (long i = Math.max(firstPage, range[0]); i <= Math.min(lastPage, range[1]); i++) {
            found.add(i);
          }
        }
      }
      return found.stream().mapToLong(Long::longValue).toArray();
    } finally {
      lock.unlock();
    }
  }

  // ---- destaging ----

  void flush(CachedVolume volume) {
    volume.destageLock.lock();
    try {
      destage(volume, Integer.MAX_VALUE, true);
    } catch (IOException e) {
      throw new StorageException(Reason.IO_ERROR, "cannot flush volume: " + e.getMessage(), e);
    } finally {
      volume.destageLock.unlock();
    }
    // Outside the destage lock, so the destager goes on meanwhile (a secondary's checkpoint force
    // after random writes is slow, and held it up for all that time). Every write of the pages
    // this call found dirty, or that the destager marked clean before it, returned before the force
    // starts.
    try {
      volume.file.force();
    } catch (IOException e) {
      throw new StorageException(Reason.IO_ERROR, "cannot flush volume: " + e.getMessage(), e);
    }
  }

  /**
   * Writes the dirty pages of bytes {@code [offset, offset + length)} to the file, without forcing
   * it: once this returns, what was written there before the call survives a crash of this process
   * (the file system has it). Pages a later write changed stay dirty; that write is in the file
   * with its own call, or with the next destage.
   */
  void writeOut(CachedVolume volume, long offset, long length) {
    if (length <= 0) {
      return;
    }
    long first = offset / PAGE_SIZE;
    long last = (offset + length - 1) / PAGE_SIZE;
    volume.destageLock.lock();
    try {
      List<CachePage> dirty = new ArrayList<>();
      lock.lock();
      try {
        checkAttached(volume);
        for (Long index : volume.dirty.subSet(first, true, last, true)) {
          dirty.add(volume.pages.get(index));
        }
      } finally {
        lock.unlock();
      }
      writeRuns(volume, dirty);
    } catch (IOException e) {
      throw new StorageException(Reason.IO_ERROR, "cannot write volume: " + e.getMessage(), e);
    } finally {
      volume.destageLock.unlock();
    }
  }

  /**
   * Writes up to {@code maxPages} dirty pages of a volume, each run of adjacent pages in one call.
   * The caller holds the volume's destage lock. Each run is copied out of its pages under the lock
   * and written from that copy: a write landing in a page meanwhile would otherwise reach the file
   * half (the kernel copies from the buffer as it goes), and a crash then leaves a block that is
   * neither write. A page is marked clean only if no write touched it after its copy was taken.
   */
  private void destage(CachedVolume volume, int maxPages, boolean fromStart) throws IOException {
    List<CachePage> batch = new ArrayList<>();
    lock.lock();
    try {
      if (volume.detached || volume.dirty.isEmpty()) {
        return;
      }
      long start = fromStart ? 0 : volume.destageCursor;
      for (Long index : volume.dirty.tailSet(start)) {
        if (batch.size() >= maxPages) {
          break;
        }
        batch.add(volume.pages.get(index));
      }
      for (Long index : volume.dirty.headSet(start)) {
        if (batch.size() >= maxPages) {
          break;
        }
        batch.add(volume.pages.get(index));
      }
      volume.destageCursor = batch.get(batch.size() - 1).index + 1;
    } finally {
      lock.unlock();
    }
    writeRuns(volume, batch);
  }

  /**
   * Writes dirty pages in ascending order, each run of adjacent ones in one call; the caller holds
   * the destage lock, so they stay in the volume meanwhile (dropping or detaching takes it, and
   * eviction takes only clean pages).
   */
  private void writeRuns(CachedVolume volume, List<CachePage> batch) throws IOException {
    int i = 0;
    while (i < batch.size()) {
      int end = i + 1;
      while (end < batch.size()
          && end - i < MAX_RUN_PAGES
          && batch.get(end).index == batch.get(end - 1).index + 1) {
        end++;
      }
      writeRun(volume, batch.subList(i, end));
      i = end;
    }
  }

  /** Copies a run of adjacent dirty pages, writes the copy, and marks unchanged pages clean. */
  private void writeRun(CachedVolume volume, List<CachePage> run) throws IOException {
    ByteBuffer copy = volume.staging();
    int[] versions = new int[run.size()];
    lock.lock();
    try {
      copy.clear();
      for (int k = 0; k < versions.length; k++) {
        CachePage page = run.get(k);
        copy.put(page.data.duplicate().clear().limit(page.length()));
        versions[k] = page.version;
      }
    } finally {
      lock.unlock();
    }
    try {
      volume.file.write(new ByteBuffer[] {copy.flip()}, run.get(0).position());
    } catch (IOException e) {
      lock.lock();
      try {
        destageFailure = e;
      } finally {
        lock.unlock();
      }
      throw e;
    }
    lock.lock();
    try {
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
    } finally {
      lock.unlock();
    }
  }

  private void destageLoop() {
    try {
      while (true) {
        List<CachedVolume> work;
        lock.lock();
        try {
          while (!closing && dirtyPages == 0) {
            destageWanted.awaitUninterruptibly();
          }
          if (!closing && dirtyPages <= highWaterPages && waitingForSpace == 0) {
            destageWanted.await(LINGER_MILLIS, TimeUnit.MILLISECONDS);
          }
          if (closing) {
            return;
          }
          work = new ArrayList<>();
          for (CachedVolume v : volumes) {
            if (!v.dirty.isEmpty()) {
              work.add(v);
            }
          }
        } finally {
          lock.unlock();
        }
        for (CachedVolume volume : work) {
          volume.destageLock.lock();
          try {
            destage(volume, DESTAGE_BATCH_PAGES, false);
          } catch (IOException e) {
            LOG.log(Level.WARNING, "destage failed; dirty data stays in the cache", e);
            pauseAfterFailure();
          } finally {
            volume.destageLock.unlock();
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      LOG.log(Level.SEVERE, "destager stopped", e);
      throw e;
    } finally {
      destagerStopped.countDown();
    }
  }

  private void pauseAfterFailure() {
    lock.lock();
    try {
      if (!closing) {
        destageWanted.await(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  // ---- bookkeeping (lock held) ----

  private static int pageLength(CachedVolume volume, long index) {
    return (int) Math.min(PAGE_SIZE, volume.sizeBytes() - index * PAGE_SIZE);
  }

  private void linkNewest(CachePage page) {
    page.older = lru.older;
    page.newer = lru;
    lru.older.newer = page;
    lru.older = page;
  }

  private static void unlinkLru(CachePage page) {
    if (page.older == null) {
      return;
    }
    page.older.newer = page.newer;
    page.newer.older = page.older;
    page.older = null;
    page.newer = null;
  }

  private void checkAttached(CachedVolume volume) {
    if (volume.detached) {
      throw new StorageException(Reason.UNKNOWN_VOLUME, "the volume was deleted");
    }
  }

  private void checkOpen() {
    if (closing) {
      throw new StorageException(Reason.CLOSED, "the cache memory is closed");
    }
  }
}
