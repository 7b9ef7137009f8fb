package org.roamstore.storage.replication.send;

import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.roamstore.storage.replication.RemoteCopySettings;
import org.roamstore.storage.replication.ReplicaVolume;

/**
 * Timeouts and resync of one copy group, driven by the send process's tick: deadlines, state
 * changes and the next regions of a resync, and the pooled bodies given back after a load. Shares
 * the {@link GroupStream}'s lock, secondaries, notices, FLUSH waits and body pool.
 */
final class GroupTick {
  private final RemoteCopySettings settings;
  private final ReentrantLock lock;
  private final Map<String, SecondaryLink> links;
  private final OutOfSyncMarker marker;
  private final FlushWaits flushWaits;
  private final NoticeGate notices;
  private final BodyPool bodies;

  GroupTick(
      RemoteCopySettings settings,
      ReentrantLock lock,
      Map<String, SecondaryLink> links,
      OutOfSyncMarker marker,
      FlushWaits flushWaits,
      NoticeGate notices,
      BodyPool bodies) {
    this.settings = settings;
    this.lock = lock;
    this.links = links;
    this.marker = marker;
    this.flushWaits = flushWaits;
    this.notices = notices;
    this.bodies = bodies;
  }

  /** Deadlines, state changes and the next regions of a resync. */
  void tick(ReplicaVolume volume) {
    lock.lock();
    try {
      long now = System.nanoTime();
      long silence = settings.syncTimeout().toNanos();
      for (SecondaryLink link : links.values()) {
        if (link.waiterOverdue(now)) {
          marker.timedOut(link);
        }
        if (link.resyncSilent(now, silence)) {
          marker.markOutOfSync(
              link, "no acknowledgement during the resync for " + settings.syncTimeout());
        }
        link.advance();
        if (volume != null) {
          link.copyRegions(volume);
        }
      }
      for (SecondaryLink late : flushWaits.overdue(now)) {
        marker.markOutOfSync(late, "the broker did not take its write data within a flush's time");
      }
      notices.checkDeadline(now);
      flushWaits.complete();
      trimBodies();
    } finally {
      lock.unlock();
    }
  }

  /** Gives back to the heap the bodies pooled for a load that has passed. */
  private void trimBodies() {
    for (SecondaryLink link : links.values()) {
      if (!link.out().idle()) {
        return;
      }
    }
    bodies.trim();
  }
}
