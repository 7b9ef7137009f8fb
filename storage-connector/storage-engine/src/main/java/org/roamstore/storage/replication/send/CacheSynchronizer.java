package org.roamstore.storage.replication.send;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import org.roamstore.storage.api.CacheSynchronization;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;

/**
 * Synchronize cache of one copy group at its primary (the directory's drain before a switch): a
 * marker behind everything queued so far, and a wait for the named secondaries to apply it. Shares
 * the {@link GroupStream}'s lock, its condition signalled on every acknowledgement, and its
 * secondaries.
 */
final class CacheSynchronizer {
  private static final Logger LOG = Logger.getLogger(CacheSynchronizer.class.getName());
  private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final String groupId;
  private final ReentrantLock lock;
  private final Condition progress;
  private final Map<String, SecondaryLink> links;
  private final Runnable wakeSender;

  CacheSynchronizer(
      String groupId,
      ReentrantLock lock,
      Condition progress,
      Map<String, SecondaryLink> links,
      Runnable wakeSender) {
    this.groupId = groupId;
    this.lock = lock;
    this.progress = progress;
    this.links = links;
    this.wakeSender = wakeSender;
  }

  /**
   * Synchronize cache: waits until every write queued before the call is applied and durable at the
   * named secondaries (every one not out of sync if none is named).
   */
  CacheSynchronization synchronize(Set<String> secondaries, Duration timeout) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    Map<SecondaryLink, Long> targets = new LinkedHashMap<>();
    long bytes = 0;
    lock.lock();
    try {
      for (String s : secondaries) {
        if (!links.containsKey(s)) {
          throw new StorageException(
              Reason.INVALID_ARGUMENT,
              s + " is not a secondary of copy group " + groupId + " " + links.keySet());
        }
      }
      for (SecondaryLink link : links.values()) {
        if (secondaries.isEmpty() ? link.streaming() : secondaries.contains(link.storageSystem)) {
          // A marker (an empty write) behind everything queued so far, in the broker too: once it
          // is acknowledged, whatever was sent before it, even by an earlier start of this unit,
          // has been dealt with by the secondary.
          targets.put(link, link.streaming() ? link.out().marker() : link.out().lastAssigned());
          bytes += link.out().lagBytes();
        }
      }
    } finally {
      lock.unlock();
    }
    wakeSender.run();
    lock.lock();
    try {
      long nextLog = start + LOG_EVERY_NANOS;
      while (true) {
        boolean all = true;
        for (Map.Entry<SecondaryLink, Long> t : targets.entrySet()) {
          all &= t.getKey().synchronizedTo(t.getValue());
        }
        if (all) {
          break;
        }
        long now = System.nanoTime();
        if (now - deadline >= 0) {
          throw new StorageException(
              Reason.TIMEOUT,
              "synchronize cache of copy group "
                  + groupId
                  + " timed out after "
                  + timeout
                  + ": "
                  + describe(targets)
                  + ". Nothing is lost; the write data keeps flowing and a later call can wait"
                  + " again.");
        }
        if (now - nextLog >= 0) {
          LOG.info("synchronize cache of copy group " + groupId + ": " + describe(targets));
          nextLog = now + LOG_EVERY_NANOS;
        }
        progress.awaitNanos(Math.min(deadline - now, TimeUnit.MILLISECONDS.toNanos(100)));
      }
      Map<String, Long> reached = new LinkedHashMap<>();
      targets.forEach((link, seq) -> reached.put(link.storageSystem, seq));
      return new CacheSynchronization(
          groupId, reached, bytes, Duration.ofNanos(System.nanoTime() - start));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException(Reason.IO_ERROR, "interrupted while synchronizing the cache");
    } finally {
      lock.unlock();
    }
  }

  private static String describe(Map<SecondaryLink, Long> targets) {
    List<String> parts = new ArrayList<>();
    targets.forEach((link, target) -> parts.add(link.describe(target)));
    return String.join("; ", parts);
  }
}
