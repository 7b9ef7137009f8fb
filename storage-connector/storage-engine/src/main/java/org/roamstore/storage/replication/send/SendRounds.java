package org.roamstore.storage.replication.send;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the two send loops (the send process and its SYNC lane) share: a wake-up that costs a writer
 * nothing while the loop is busy, and the bookkeeping of the batches a round has in flight, which
 * go back to their streams if the connection breaks before the broker took them.
 */
final class SendRounds {
  // A loop that found nothing to send waits at most this long: deadlines are checked every round.
  private static final long IDLE_WAIT_MILLIS = 20;

  private final Map<String, GroupStream> groups;
  private final ReentrantLock wakeLock = new ReentrantLock();
  private final Condition wakeUp = wakeLock.newCondition();
  private volatile boolean idle;
  private volatile boolean pending;
  private List<Shipment> inFlight; // used by the loop's own thread only

  SendRounds(Map<String, GroupStream> groups) {
    this.groups = groups;
  }

  /** Something may be ready; signals only a loop that is waiting. */
  void wake() {
    pending = true;
    if (idle) {
      wakeLock.lock();
      try {
        wakeUp.signal();
      } finally {
        wakeLock.unlock();
      }
    }
  }

  /** A round begins: wake-ups from here on are for the next one. */
  void beginRound() {
    pending = false;
  }

  /** Waits for a wake-up (or the idle wait) unless one came since the round began. */
  void awaitWork(boolean stopping) {
    wakeLock.lock();
    try {
      idle = true;
      if (!pending && !stopping) {
        wakeUp.await(IDLE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      idle = false;
      wakeLock.unlock();
    }
  }

  /** These batches are being handed to the broker. */
  void sending(List<Shipment> batches) {
    inFlight = batches;
  }

  /** The broker took them (its journal for persistent ones, its memory for the others). */
  void sent(List<Shipment> batches) {
    inFlight = null;
    byGroup(batches).forEach(GroupStream::committed);
  }

  /**
   * The connection broke: what was in flight goes back to its streams, and, since a broker restart
   * loses non-persistent messages, every retained batch goes out again first.
   */
  void lost() {
    List<Shipment> unsure = inFlight;
    inFlight = null;
    if (unsure != null) {
      byGroup(unsure).forEach(GroupStream::returned);
    }
    for (GroupStream g : groups.values()) {
      g.resendRetained();
    }
  }

  private Map<GroupStream, List<Shipment>> byGroup(List<Shipment> all) {
    Map<GroupStream, List<Shipment>> by = new LinkedHashMap<>();
    for (Shipment s : all) {
      GroupStream g = groups.get(s.groupId());
      if (g != null) {
        by.computeIfAbsent(g, k -> new ArrayList<>()).add(s);
      }
    }
    return by;
  }
}
