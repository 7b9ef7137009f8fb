package org.roamstore.storage.activity;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;

/**
 * The activity log of one replicated volume at its primary: the regions whose bytes may differ
 * between this copy and the others if this unit dies now. A write's regions are recorded as hot,
 * durably, before the write can reach the volume's cache; so after an unclean stop the hot regions
 * are exactly what must be resynchronised, and nothing else.
 *
 * <p>Steady state costs no I/O: a region stays hot while it is in use, and a write to a hot region
 * only sets a bit in memory. Writes to cold regions that arrive together share one write and one
 * force of the file (group commit). Regions cool in rounds ({@link #cut}, then {@link #cooled}) run
 * by the control unit once everything written before the cut is on this unit's disk and on every
 * secondary's disk: a region written since the cut stays hot. The hot set is bounded ({@code
 * maxHotRegions}, as DRBD's al-extents): a writer that needs a new region while it is full waits
 * for a cooling round, at most {@link #SLOT_WAIT_SECONDS} s, then its write is refused unchanged.
 *
 * <p>File: {@code MAGIC, regionBytes, bitmap}, rewritten in place (the bitmap is small: 32 bytes
 * per GiB at 4 MiB regions). A torn write can only keep bits that were being cleared, never lose a
 * bit that a returned {@link #begin} made durable: every write carries all the bits that are hot.
 */
public final class ActivityLog implements AutoCloseable {
  public static final int DEFAULT_REGION_BYTES = 4 << 20;
  public static final int DEFAULT_MAX_HOT_REGIONS = 1024;
  static final long SLOT_WAIT_SECONDS = 30;
  private static final int MAGIC = 0x52534131; // "RSA1"
  private static final int HEADER_BYTES = 8;

  private final Path path;
  private final FileChannel file;
  private final int regionBytes;
  private final int maxHotRegions;
  private final Runnable wantCooling;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  // All guarded by lock.
  private final BitSet persisted = new BitSet(); // what the file holds, or will once written
  private BitSet leftover; // hot when this unit opened the log: it stopped uncleanly
  private BitSet current = new BitSet(); // written in the current period
  private final BitSet previous = new BitSet(); // written before the last cut, not yet cooled
  private long period;
  private long inFlightCurrent; // writes of the current period between begin and end
  private long inFlightPrevious; // ... of the period before, which a cut waits for
  private long wantedGeneration;
  private long durableGeneration;
  private boolean writing;
  private IOException failure;

  private ActivityLog(
      Path path, FileChannel file, int regionBytes, int maxHotRegions, Runnable wantCooling) {
    this.path = path;
    this.file = file;
    this.regionBytes = regionBytes;
    this.maxHotRegions = maxHotRegions;
    this.wantCooling = wantCooling;
  }

  /**
   * Opens (or creates) the log at {@code path}. What it held then is {@link #leftover()}: empty
   * after a clean stop. {@code wantCooling} is called when a writer waits for a free slot.
   */
  public static ActivityLog open(
      Path path, int regionBytes, int maxHotRegions, Runnable wantCooling) throws IOException {
    if (regionBytes < 4096 || Integer.bitCount(regionBytes) != 1) {
      throw new IllegalArgumentException("a region is a power of two of 4 KiB or more");
    }
    if (maxHotRegions < 1) {
      throw new IllegalArgumentException("the hot set needs at least one region");
    }
    Files.createDirectories(path.getParent());
    FileChannel channel =
        FileChannel.open(
            path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    ActivityLog log = new ActivityLog(path, channel, regionBytes, maxHotRegions, wantCooling);
    try {
      log.leftover = log.read();
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    log.persisted.or(log.leftover);
    return log;
  }

  private BitSet read() throws IOException {
    long size = file.size();
    if (size == 0) {
      return new BitSet();
    }
    if (size < HEADER_BYTES || size > Integer.MAX_VALUE) {
      throw new IOException("activity log " + path + " is damaged (" + size + " bytes)");
    }
    ByteBuffer all = ByteBuffer.allocate((int) size);
    while (all.hasRemaining() && file.read(all, all.position()) > 0) {}
    all.flip();
    if (all.getInt() != MAGIC) {
      throw new IOException("activity log " + path + " is not an activity log");
    }
    int storedRegionBytes = all.getInt();
    BitSet stored = BitSet.valueOf(all);
    if (storedRegionBytes == regionBytes) {
      return stored;
    }
    // The region size was changed between two starts: every old region maps onto new ones.
    BitSet converted = new BitSet();
    for (int r = stored.nextSetBit(0); r >= 0; r = stored.nextSetBit(r + 1)) {
      long from = (long) r * storedRegionBytes;
      converted.set(
          (int) (from / regionBytes), (int) ((from + storedRegionBytes - 1) / regionBytes) + 1);
    }
    return converted;
  }

  public int regionBytes() {
    return regionBytes;
  }

  /** The regions that were hot when the log was opened: an unclean stop left them. A copy. */
  public BitSet leftover() {
    lock.lock();
    try {
      return (BitSet) leftover.clone();
    } finally {
      lock.unlock();
    }
  }

  /** Every region hot now, the leftover included. A copy. */
  public BitSet hot() {
    lock.lock();
    try {
      return (BitSet) persisted.clone();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The leftover is recorded elsewhere now (as regions to resynchronise): it no longer needs to be
   * hot here. Durable when this returns.
   */
  public void forgetLeftover() {
    lock.lock();
    try {
      if (leftover.isEmpty()) {
        return;
      }
      BitSet keep = (BitSet) current.clone();
      keep.or(previous);
      leftover = new BitSet();
      persisted.and(keep);
      awaitDurable(++wantedGeneration);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Nothing is hot any more: every copy agrees on every region, or what differs is recorded
   * elsewhere. Only while no write can begin (the caller holds the volume's group lock). Durable
   * when this returns.
   */
  public void clear() {
    lock.lock();
    try {
      leftover = new BitSet();
      current = new BitSet();
      previous.clear();
      if (!persisted.isEmpty()) {
        persisted.clear();
        awaitDurable(++wantedGeneration);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** A write between {@link #begin} and {@link #end}: the period it counts in. */
  public record Ticket(long period) {}

  /**
   * Records the regions of a write as hot; returns once that is durable. Call {@link #end} once the
   * write is in the cache and handed to remote copy.
   */
  public Ticket begin(long offset, long length) {
    lock.lock();
    try {
      int first = (int) (offset / regionBytes);
      int last = (int) ((offset + Math.max(length, 1) - 1) / regionBytes);
      boolean hot = persisted.nextClearBit(first) > last;
      if (!hot) {
        // Before it counts as in flight: a cooling round waits for the writes in flight, and a
        // writer waiting here for a slot must not hold up the round that frees one.
        awaitSlots(first, last);
      }
      current.set(first, last + 1);
      inFlightCurrent++;
      Ticket ticket = new Ticket(period);
      if (hot || persisted.nextClearBit(first) > last) {
        return ticket;
      }
      try {
        persisted.set(first, last + 1);
        awaitDurable(++wantedGeneration);
      } catch (RuntimeException e) {
        endLocked(ticket);
        throw e;
      }
      return ticket;
    } finally {
      lock.unlock();
    }
  }

  public void end(Ticket ticket) {
    lock.lock();
    try {
      endLocked(ticket);
    } finally {
      lock.unlock();
    }
  }

  private void endLocked(Ticket ticket) {
    if (ticket.period() == period) {
      inFlightCurrent--;
    } else {
      inFlightPrevious--;
    }
    changed.signalAll();
  }

  private void awaitSlots(int first, int last) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SLOT_WAIT_SECONDS);
    while (true) {
      BitSet needed = new BitSet();
      needed.set(first, last + 1);
      needed.andNot(persisted);
      if (persisted.cardinality() + needed.cardinality() <= maxHotRegions
          || needed.cardinality() > maxHotRegions) {
        return; // a single write larger than the whole set still goes (its regions only)
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new StorageException(
            Reason.TIMEOUT,
            "the activity log of "
                + path.getFileName()
                + " has all its "
                + maxHotRegions
                + " regions hot and none cooled within "
                + SLOT_WAIT_SECONDS
                + " s (are the secondaries reachable?); the write was not stored");
      }
      wantCooling.run();
      try {
        changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StorageException(Reason.IO_ERROR, "interrupted waiting for the activity log");
      }
    }
  }

  /**
   * Group commit: the first waiter writes everything hot so far for all who wait, the others wait
   * for it. Called with the lock held; writing releases it.
   */
  private void awaitDurable(long generation) {
    boolean interrupted = false;
    try {
      while (durableGeneration < generation) {
        if (failure != null) {
          throw new StorageException(
              Reason.IO_ERROR, "cannot write the activity log " + path + ": " + failure, failure);
        }
        if (writing) {
          try {
            changed.await();
          } catch (InterruptedException e) {
            interrupted = true;
          }
          continue;
        }
        writing = true;
        long writtenGeneration = wantedGeneration;
        byte[] bits = persisted.toByteArray();
        lock.unlock();
        IOException failed = null;
        try {
          write(bits);
        } catch (IOException e) {
          failed = e;
        } finally {
          lock.lock();
        }
        writing = false;
        if (failed != null) {
          failure = failed;
        } else {
          durableGeneration = Math.max(durableGeneration, writtenGeneration);
        }
        changed.signalAll();
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void write(byte[] bits) throws IOException {
    ByteBuffer content = ByteBuffer.allocate(HEADER_BYTES + bits.length);
    content.putInt(MAGIC).putInt(regionBytes).put(bits).flip();
    long size = content.remaining();
    while (content.hasRemaining()) {
      file.write(content, content.position());
    }
    if (file.size() > size) {
      file.truncate(size);
    }
    file.force(false);
  }

  // ---- cooling ----

  /** A cooling round in progress: the period it closed and the regions written in it. */
  public record Cut(long period) {}

  /**
   * Starts a cooling round: a new period begins, and this returns once every write of the old
   * period has ended (is in the cache and handed to remote copy), or null if that took longer than
   * {@code waitMillis}. The caller then makes everything written so far durable here and at every
   * secondary, and calls {@link #cooled}.
   */
  public Cut cut(long waitMillis) {
    lock.lock();
    try {
      if (inFlightPrevious > 0) {
        return null; // the round before is still waiting for its writes
      }
      period++;
      inFlightPrevious = inFlightCurrent;
      inFlightCurrent = 0;
      previous.or(current);
      current = new BitSet();
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
      while (inFlightPrevious > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        changed.awaitNanos(left);
      }
      return new Cut(period);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Everything written before {@code cut} is safe: only the regions written since stay hot, with
   * whatever leftover is not yet recorded elsewhere. Returns how many regions cooled.
   */
  public int cooled(Cut cut) {
    lock.lock();
    try {
      if (cut.period() != period) {
        return 0; // another round cut since; it will cool
      }
      previous.clear();
      BitSet keep = (BitSet) current.clone();
      keep.or(leftover);
      int before = persisted.cardinality();
      persisted.and(keep);
      int cooled = before - persisted.cardinality();
      if (cooled > 0) {
        awaitDurable(++wantedGeneration);
        changed.signalAll();
      }
      return cooled;
    } finally {
      lock.unlock();
    }
  }

  /** Whether some hot region has not been written since the last cut (a round would cool it). */
  public boolean hasIdleRegions() {
    lock.lock();
    try {
      BitSet idle = (BitSet) persisted.clone();
      idle.andNot(current);
      idle.andNot(leftover);
      return !idle.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  /** Whether a writer waits for a slot. */
  public boolean full() {
    lock.lock();
    try {
      return persisted.cardinality() >= maxHotRegions;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
