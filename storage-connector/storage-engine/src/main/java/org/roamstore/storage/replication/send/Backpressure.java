package org.roamstore.storage.replication.send;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.roamstore.storage.replication.RemoteCopySettings;

/**
 * Back-pressure of one copy group's writers: while a secondary's backlog not yet safe (not in the
 * broker, or for SYNC not yet durable there) is over the bound, the writer waits, so that under
 * sustained load the secondaries stay current and the primary goes only as fast as remote copy
 * really goes. Only after {@code backlogWait} (the broker is down rather than slow) is such a
 * secondary marked out of sync, or for a SYNC group that fails writes, the write refused. Shares
 * the {@link GroupStream}'s lock, its progress condition and its secondaries.
 */
final class Backpressure {
  private final RemoteCopySettings settings;
  private final ReentrantLock lock;
  private final Condition progress;
  private final Map<String, SecondaryLink> links;
  private final Runnable wakeSender;
  private final OutOfSyncMarker marker;
  private long backlogWaits;

  Backpressure(
      RemoteCopySettings settings,
      ReentrantLock lock,
      Condition progress,
      Map<String, SecondaryLink> links,
      Runnable wakeSender,
      OutOfSyncMarker marker) {
    this.settings = settings;
    this.lock = lock;
    this.progress = progress;
    this.links = links;
    this.wakeSender = wakeSender;
    this.marker = marker;
  }

  /**
   * Waits until every secondary's backlog has room, or {@code backlogWait} has passed. Called with
   * the lock held; waiting releases it, so the send and acknowledgement processes move on
   * meanwhile. Interrupts do not cut the wait short: the write is in the primary's cache already
   * and must go somewhere.
   */
  void awaitRoom(boolean sync) {
    long deadline = 0;
    boolean interrupted = false;
    try {
      while (true) {
        List<SecondaryLink> over = new ArrayList<>(0);
        for (SecondaryLink link : links.values()) {
          if (link.overBacklog()) {
            over.add(link);
          }
        }
        if (over.isEmpty()) {
          return;
        }
        long now = System.nanoTime();
        if (deadline == 0) {
          deadline = now + settings.backlogWait().toNanos();
          backlogWaits++;
          wakeSender.run();
        }
        if (now - deadline >= 0) {
          for (SecondaryLink link : over) {
            marker.backlogTooLong(link, sync);
          }
          return;
        }
        try {
          progress.awaitNanos(deadline - now);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** How many writes had to wait for a secondary's backlog since this unit started. */
  long waits() {
    lock.lock();
    try {
      return backlogWaits;
    } finally {
      lock.unlock();
    }
  }
}
