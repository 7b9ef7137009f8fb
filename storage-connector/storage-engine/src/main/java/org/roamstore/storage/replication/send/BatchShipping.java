package org.roamstore.storage.replication.send;

import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The send process's side of one copy group: closed batches taken for shipping, oldest first per
 * secondary, and what the broker did with them (committed, returned, maybe lost). Shares the {@link
 * GroupStream}'s lock, progress condition, secondaries, notices and FLUSH waits.
 */
final class BatchShipping {
  private final String groupId;
  private final ReentrantLock lock;
  private final Condition progress;
  private final Map<String, SecondaryLink> links;
  private final NoticeGate notices;
  private final FlushWaits flushWaits;

  BatchShipping(
      String groupId,
      ReentrantLock lock,
      Condition progress,
      Map<String, SecondaryLink> links,
      NoticeGate notices,
      FlushWaits flushWaits) {
    this.groupId = groupId;
    this.lock = lock;
    this.progress = progress;
    this.links = links;
    this.notices = notices;
    this.flushWaits = flushWaits;
  }

  /**
   * See {@link GroupStream#takeReady}; the caller has checked the lane is this group's. The
   * secondaries in sync get the same writes; cut at the same points and taken in turn, one batch
   * each, their batches are the same and go out in one message (see {@link Delivery}). So their
   * open batches are closed together: group commit holds them all while it holds any one.
   */
  boolean take(List<Shipment> into, int max, boolean lane) {
    boolean forOther = false;
    lock.lock();
    try {
      boolean hold = groupHolds();
      for (SecondaryLink link : links.values()) {
        link.out().closeUnlessHeld(hold);
      }
      boolean took = true;
      while (took && into.size() < max) {
        took = false;
        for (SecondaryLink link : links.values()) {
          int before = into.size();
          forOther |= link.out().take(into, Math.min(max, before + 1), lane, groupId, link);
          took |= into.size() > before;
        }
      }
    } finally {
      lock.unlock();
    }
    return forOther;
  }

  /** Whether group commit holds the open batches of the secondaries in sync. */
  boolean groupHolds() {
    lock.lock();
    try {
      for (SecondaryLink link : links.values()) {
        if (link.out().holdsOpenBatch()) {
          return true;
        }
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** Whether the sender has something to do for the group now. */
  boolean wantsShipping() {
    lock.lock();
    try {
      boolean hold = groupHolds();
      for (SecondaryLink link : links.values()) {
        if (link.out().wantsShipping(hold)) {
          return true;
        }
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** Whether a batch of the SYNC lane is ready to go. */
  boolean hasLaneReady() {
    lock.lock();
    try {
      for (SecondaryLink link : links.values()) {
        if (link.out().laneReady()) {
          return true;
        }
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** The broker has these batches in its journal. */
  void committed(List<Shipment> shipments) {
    lock.lock();
    try {
      for (Shipment s : shipments) {
        if (s.link().out().committed(s.batch())) {
          notices.openIfTold();
        }
      }
      flushWaits.complete();
      progress.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** These batches may not have reached the broker; they go out again first, in order. */
  void returned(List<Shipment> shipments) {
    lock.lock();
    try {
      for (int i = shipments.size() - 1; i >= 0; i--) {
        Shipment s = shipments.get(i);
        s.link().out().returned(s.batch());
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The connection to the broker broke: it may have lost the retained (non-persistent) batches, so
   * they go out again first, ahead of everything else. A secondary skips what it already has.
   */
  void resendRetained() {
    lock.lock();
    try {
      for (SecondaryLink link : links.values()) {
        link.out().resendRetained();
      }
    } finally {
      lock.unlock();
    }
  }

  boolean hasUnshipped() {
    lock.lock();
    try {
      for (SecondaryLink link : links.values()) {
        if (link.out().hasUnshipped()) {
          return true;
        }
      }
      return false;
    } finally {
      lock.unlock();
    }
  }
}
