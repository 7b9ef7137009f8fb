package org.roamstore.storage.engine;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.storage.activity.ActivityLog;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.replication.WriteDataSender;

/**
 * Cools the activity logs of the volumes this unit is primary of: every interval, or at once when a
 * writer waits for a slot, a volume with idle hot regions is cut, flushed here, and its secondaries
 * are asked to make everything up to the cut durable; then only what was written since stays hot. A
 * round that cannot finish (a secondary slow or away) cools nothing and is tried again.
 */
final class ActivityCooling implements Runnable {
  private static final Logger LOG = Logger.getLogger(ActivityCooling.class.getName());

  private final Collection<CopyGroupReplica> replicas;
  private final WriteDataSender sender;
  private final Duration interval;
  private final Duration roundTimeout;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private boolean wanted;
  private volatile boolean stopping;

  ActivityCooling(
      Collection<CopyGroupReplica> replicas,
      WriteDataSender sender,
      Duration interval,
      Duration roundTimeout) {
    this.replicas = replicas;
    this.sender = sender;
    this.interval = interval;
    this.roundTimeout = roundTimeout;
  }

  /** A writer waits for a slot: cool now rather than at the next interval. */
  void want() {
    lock.lock();
    try {
      wanted = true;
      wake.signal();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void run() {
    try {
      while (!stopping) {
        awaitRound();
        for (CopyGroupReplica replica : replicas) {
          if (stopping) {
            break;
          }
          ActivityLog log = replica.volume.activity;
          if (log.hasIdleRegions() || log.full()) {
            cool(replica, roundTimeout);
          } else {
            // Regions written only before this cut are idle at the next interval; without a cut
            // they would stay in the current period, never idle, hot until the log fills.
            log.cut(0);
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "activity log cooling stopped", e);
    } finally {
      stopped.countDown();
    }
  }

  private void awaitRound() {
    lock.lock();
    try {
      if (!wanted && !stopping) {
        wake.await(interval.toNanos(), TimeUnit.NANOSECONDS);
      }
      wanted = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopping = true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * One round for one volume; returns whether it completed (then only regions written since it
   * began are hot). Nothing to do unless this unit is the primary of a group with secondaries.
   */
  boolean cool(CopyGroupReplica replica, Duration timeout) {
    CopyVolumeGroupInfo group = replica.group();
    if (!replica.replicatedPrimaryOf(group)) {
      return false;
    }
    HostedVolume volume = replica.volume;
    ActivityLog.Cut cut = volume.activity.cut(timeout.toMillis());
    if (cut == null) {
      return false;
    }
    try {
      volume.cache.flush();
      sender
          .durable(group, timeout)
          .toCompletableFuture()
          .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      LOG.fine(() -> "activity log of " + volume.address + " not cooled this round: " + e);
      return false;
    }
    if (replica.group() != group) {
      return false; // the group changed meanwhile; what its change did is all that counts
    }
    volume.activity.cooled(cut);
    return true;
  }

  /** Stops the loop and waits for its round to end. */
  void stop() {
    stopping = true;
    want();
    try {
      if (!stopped.await(roundTimeout.toMillis() + 5000, TimeUnit.MILLISECONDS)) {
        LOG.warning("activity log cooling did not stop in time");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
