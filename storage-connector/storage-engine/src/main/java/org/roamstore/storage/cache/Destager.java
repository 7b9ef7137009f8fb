package org.roamstore.storage.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;

/**
 * Writes dirty pages to the volumes' files: the background destager, flushes and write-outs. A run
 * of adjacent dirty pages goes out in one gathering write, copied out of its pages under the page
 * table's lock and written outside it; the page version tells which pages a racing write changed
 * meanwhile, and those stay dirty. File writes of one volume are serialized by its destage lock.
 */
final class Destager {
  // The cache memory's logger: where its warnings have always been configured and looked for.
  private static final Logger LOG = Logger.getLogger(CacheMemory.class.getName());

  // One file write per run of adjacent dirty pages, at most this long (1 MiB).
  static final int MAX_RUN_PAGES = 256;
  // Per volume per destager round, so one busy volume cannot starve the others.
  private static final int DESTAGE_BATCH_PAGES = 4096;
  // Below the high-water mark the destager lingers, so adjacent writes can gather into runs.
  private static final long LINGER_MILLIS = 100;

  private final PageTable table;
  private final CountDownLatch destagerStopped = new CountDownLatch(1);
  private boolean destagerStarted; // guarded by table.lock

  Destager(PageTable table) {
    this.table = table;
  }

  /** Starts the background destager on a long-lived thread of {@code executor}. */
  void start(Executor executor) {
    table.lock.lock();
    try {
      if (destagerStarted || table.closing) {
        throw new IllegalStateException("destager already started or cache closed");
      }
      destagerStarted = true;
    } finally {
      table.lock.unlock();
    }
    executor.execute(this::destageLoop);
  }

  /** Whether the background destager was started; the page table's lock held. */
  boolean started() {
    return destagerStarted;
  }

  /** Waits (at most a minute) for the background destager to see the cache closing and stop. */
  void awaitStopped() {
    try {
      if (!destagerStopped.await(60, TimeUnit.SECONDS)) {
        LOG.warning("destager did not stop within 60 s; flushing anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

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
    long first = offset / CacheMemory.PAGE_SIZE;
    long last = (offset + length - 1) / CacheMemory.PAGE_SIZE;
    volume.destageLock.lock();
    try {
      List<CachePage> dirty = new ArrayList<>();
      table.lock.lock();
      try {
        PageTable.checkAttached(volume);
        for (Long index : volume.dirty.subSet(first, true, last, true)) {
          dirty.add(volume.pages.get(index));
        }
      } finally {
        table.lock.unlock();
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
    table.lock.lock();
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
      table.lock.unlock();
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
    table.lock.lock();
    try {
      copy.clear();
      for (int k = 0; k < versions.length; k++) {
        CachePage page = run.get(k);
        copy.put(page.data.duplicate().clear().limit(page.length()));
        versions[k] = page.version;
      }
    } finally {
      table.lock.unlock();
    }
    try {
      volume.file.write(new ByteBuffer[] {copy.flip()}, run.get(0).position());
    } catch (IOException e) {
      table.lock.lock();
      try {
        table.destageFailure = e;
      } finally {
        table.lock.unlock();
      }
      throw e;
    }
    table.lock.lock();
    try {
      table.destaged(volume, run, versions);
    } finally {
      table.lock.unlock();
    }
  }

  private void destageLoop() {
    try {
      while (true) {
        List<CachedVolume> work;
        table.lock.lock();
        try {
          while (!table.closing && table.dirtyPages == 0) {
            table.destageWanted.awaitUninterruptibly();
          }
          if (!table.closing
              && table.dirtyPages <= table.highWaterPages
              && table.waitingForSpace == 0) {
            table.destageWanted.await(LINGER_MILLIS, TimeUnit.MILLISECONDS);
          }
          if (table.closing) {
            return;
          }
          work = new ArrayList<>();
          for (CachedVolume v : table.volumes) {
            if (!v.dirty.isEmpty()) {
              work.add(v);
            }
          }
        } finally {
          table.lock.unlock();
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
    table.lock.lock();
    try {
      if (!table.closing) {
        table.destageWanted.await(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      table.lock.unlock();
    }
  }
}
