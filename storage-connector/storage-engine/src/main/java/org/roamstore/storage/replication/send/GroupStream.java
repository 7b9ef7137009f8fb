package org.roamstore.storage.replication.send;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import org.roamstore.storage.api.CacheSynchronization;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyGroupStatus.SecondaryStatus;
import org.roamstore.storage.api.CopyGroupStatus.State;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.api.VerifyRequest;
import org.roamstore.storage.replication.PendingRegions;
import org.roamstore.storage.replication.RemoteCopySettings;
import org.roamstore.storage.replication.ReplicaVolume;
import org.roamstore.storage.replication.WriteData;
import org.roamstore.storage.replication.batch.BatchFormat;
import org.roamstore.storage.replication.batch.StreamKey;

/**
 * Remote copy of one copy group at its primary: a stream of numbered writes per secondary. Writers
 * append under one lock (a page-sized copy per secondary), the send process takes closed batches,
 * the acknowledgement process moves each secondary forward. Writes that arrive while the send
 * process is busy gather in the next batch, so concurrent writes share a broker transaction and a
 * round trip (group commit) without any waiting on purpose.
 */
public final class GroupStream {
  private static final Logger LOG = Logger.getLogger(GroupStream.class.getName());
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final String groupId;
  private final long incarnation;
  private final RemoteCopySettings settings;
  private final OutOfSyncMap outOfSync;
  private final VerifyRecords verifyRecords;
  private final Runnable wakeSender;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition progress = lock.newCondition();
  private final SecondaryLink.Group shared;
  private final Map<String, SecondaryLink> links = new LinkedHashMap<>();
  private final PrimaryVerify verify;
  private final FlushWaits flushWaits;
  private final CacheSynchronizer synchronizer;
  private final NoticeGate notices;
  private final BodyPool bodies = new BodyPool();
  private long epoch;
  // Written under the lock; read without it by the send process, to wake the SYNC lane or not.
  private volatile TransferType transferType = TransferType.ASYNC;
  private SyncFailurePolicy policy = SyncFailurePolicy.MARK_OUT_OF_SYNC;
  private long backlogWaits;

  GroupStream(
      String groupId,
      long incarnation,
      RemoteCopySettings settings,
      OutOfSyncMap outOfSync,
      Runnable wakeSender) {
    this(groupId, incarnation, settings, outOfSync, new VerifyRecords(null), wakeSender);
  }

  GroupStream(
      String groupId,
      long incarnation,
      RemoteCopySettings settings,
      OutOfSyncMap outOfSync,
      VerifyRecords verifyRecords,
      Runnable wakeSender) {
    this.groupId = groupId;
    this.incarnation = incarnation;
    this.settings = settings;
    this.outOfSync = outOfSync;
    this.verifyRecords = verifyRecords;
    this.wakeSender = wakeSender;
    this.shared = new SecondaryLink.Group(groupId, settings, outOfSync, verifyRecords, bodies);
    this.verify = new PrimaryVerify(groupId, lock, links, wakeSender);
    this.flushWaits = new FlushWaits(links);
    this.synchronizer = new CacheSynchronizer(groupId, lock, progress, links, wakeSender);
    this.notices = new NoticeGate(groupId, settings.syncTimeout(), links);
  }

  public String groupId() {
    return groupId;
  }

  // ---- the write path (Fig. 10) ----

  /**
   * Queues a write for every secondary. For a SYNC group the result completes once every in-sync
   * secondary has it in its cache; otherwise at once.
   */
  CompletableFuture<Void> append(WriteData write) {
    SyncWrite sync = null;
    boolean wake = false;
    lock.lock();
    try {
      if (write.group().epoch() != epoch) {
        changeGroup(write.group());
      }
      boolean waits = transferType == TransferType.SYNC;
      awaitBacklogRoom(waits);
      long now = System.nanoTime();
      for (SecondaryLink link : links.values()) {
        if (!link.streaming()) {
          link.missed(write.offset(), write.length());
          continue;
        }
        long sequence = link.queue(write, now);
        if (waits && link.state() == State.IN_SYNC) {
          if (sync == null) {
            sync = new SyncWrite();
          }
          link.awaitedBy(sync, sequence, now + settings.syncTimeout().toNanos());
        }
        wake |= link.out().wantsShipping();
      }
      if (waits && notices.closed()) {
        if (sync == null) {
          sync = new SyncWrite();
        }
        notices.hold(sync);
      }
    } finally {
      lock.unlock();
    }
    if (wake) {
      wakeSender.run(); // the acknowledgement that lets a held batch go wakes it otherwise
    }
    return sync == null ? DONE : sync.done;
  }

  /**
   * Back-pressure: while a secondary's backlog not yet safe (not in the broker, or for SYNC not yet
   * durable there) is over the bound, the writer waits, so that under sustained load the
   * secondaries stay current and the primary goes only as fast as remote copy really goes. Only
   * after {@code backlogWait} (the broker is down rather than slow) is such a secondary marked out
   * of sync, or for a SYNC group that fails writes, the write refused. Called with the lock held;
   * waiting releases it, so the send and acknowledgement processes move on meanwhile. Interrupts do
   * not cut the wait short: the write is in the primary's cache already and must go somewhere.
   */
  private void awaitBacklogRoom(boolean sync) {
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
            backlogTooLong(link, sync);
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

  private void backlogTooLong(SecondaryLink link, boolean sync) {
    String why =
        "more than "
            + settings.maxBacklogBytes()
            + " bytes not yet safe in the broker for "
            + settings.backlogWait();
    if (sync && policy == SyncFailurePolicy.FAIL_WRITES) {
      throw new StorageException(
          Reason.TIMEOUT,
          "remote copy to "
              + link.storageSystem
              + " has "
              + why
              + "; the copy group "
              + groupId
              + " fails writes until it catches up");
    }
    markOutOfSync(link, why);
  }

  /** How many writes had to wait for a secondary's backlog since this unit started. */
  long backlogWaits() {
    lock.lock();
    try {
      return backlogWaits;
    } finally {
      lock.unlock();
    }
  }

  /** A new epoch: new streams, maybe other secondaries. Called with the lock held. */
  private void changeGroup(CopyVolumeGroupInfo group) {
    epoch = group.epoch();
    transferType = group.transferType();
    policy = group.syncFailurePolicy();
    StreamKey stream = new StreamKey(epoch, incarnation);
    Set<String> secondaries = new java.util.LinkedHashSet<>();
    for (CopyGroupMember m : group.secondaries()) {
      secondaries.add(m.address().storageSystem());
    }
    links
        .values()
        .removeIf(
            link -> {
              if (secondaries.contains(link.storageSystem)) {
                return false;
              }
              link.releaseAllWaiters();
              link.forgetNotice(); // whatever it holds no longer counts
              link.interruptVerify("it is no longer a secondary of the group");
              return true;
            });
    notices.openIfTold();
    for (String s : secondaries) {
      SecondaryLink link = links.get(s);
      if (link == null) {
        links.put(s, new SecondaryLink(s, stream, transferType, shared));
        continue;
      }
      link.out().closeOpen();
      if (link.out().hasRetained()) {
        // Acknowledgements of the old stream no longer count, so whether these reached the
        // secondary's disk will never be known: their regions are resent by a resync.
        markOutOfSync(link, "the copy group changed before SYNC write data was durable there");
        link.out().dropRetained();
      }
      link.interruptVerify("the copy group changed (epoch " + epoch + ")");
      link.restart(stream, transferType);
    }
    bodies.sizeFor(links.size(), settings.maxBacklogBytes(), settings.maxBatchBytes());
  }

  /** Makes the group known before the first write, e.g. to resume a resync after a restart. */
  public void define(CopyVolumeGroupInfo group) {
    lock.lock();
    try {
      if (group.epoch() != epoch) {
        changeGroup(group);
      }
    } finally {
      lock.unlock();
    }
  }

  // ---- a change of primary: the out-of-sync regions move with it ----

  /**
   * What the secondaries miss, to hand to the next primary as this one is demoted. A secondary
   * still resynchronising is marked out of sync first: the regions its resync sent but it has not
   * confirmed are listed again, since once it follows the new primary it refuses this stream.
   */
  public OutOfSyncRegions handOver() {
    lock.lock();
    try {
      for (SecondaryLink link : links.values()) {
        if (link.resyncing()) {
          markOutOfSync(link, "the primary moved during its resync");
        }
      }
      Map<String, BitSet> missing = new LinkedHashMap<>();
      for (String s : outOfSync.secondaries()) {
        missing.put(s, outOfSync.regionsOf(s));
      }
      // What a verify found different and did not repair: the next primary resyncs it.
      for (SecondaryLink link : links.values()) {
        BitSet unrepaired = verifyRecords.unrepaired(link.storageSystem);
        if (!unrepaired.isEmpty()) {
          missing.computeIfAbsent(link.storageSystem, s -> new BitSet()).or(unrepaired);
        }
      }
      return new OutOfSyncRegions(OutOfSyncMap.REGION_BYTES, missing);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes over what the previous primary's secondaries missed: each is out of sync from here on,
   * with those regions marked, and resynchronised from this copy when it answers. Saved before
   * returning, so a restart of this unit does not forget it.
   */
  public void inherit(OutOfSyncRegions inherited) {
    lock.lock();
    try {
      for (String s : inherited.secondaries()) {
        SecondaryLink link = links.get(s);
        if (link == null) {
          continue; // no longer a member of the group
        }
        markOutOfSync(link, "it missed writes at the previous primary");
        // Its answer to this marker is what shows it is back and starts the resync.
        link.out().marker();
        BitSet bits = inherited.regionsOf(s);
        long size = inherited.regionBytes();
        for (int r = bits.nextSetBit(0); r >= 0; r = bits.nextSetBit(r + 1)) {
          outOfSync.mark(s, r * size, size);
        }
      }
      outOfSync.save();
    } catch (IOException e) {
      throw new StorageException(
          Reason.IO_ERROR,
          "cannot save the out-of-sync regions inherited by copy group " + groupId + ": " + e,
          e);
    } finally {
      lock.unlock();
    }
    wakeSender.run();
  }

  // ---- the send process's side ----

  /**
   * Closes the open batches and takes closed batches for shipping, oldest first per secondary:
   * those of the SYNC lane ({@code lane}: SYNC batches of a stream the secondary has started, for
   * its SYNC queue) or all others (for its write data queue). A secondary's batches go in order, so
   * taking stops at the first one that belongs to the other kind; returns whether it did (the other
   * loop has work).
   */
  boolean takeReady(List<Shipment> into, int max, boolean lane) {
    if (lane && !usesLane()) {
      return false; // nor close an ASYNC stream's open batch: the send process's rounds size them
    }
    boolean forOther = false;
    lock.lock();
    try {
      for (SecondaryLink link : links.values()) {
        forOther |= link.out().take(into, max, lane, groupId, link);
      }
    } finally {
      lock.unlock();
    }
    return forOther;
  }

  /** Whether this stream's batches may take the SYNC lane (it is a SYNC group's). */
  boolean usesLane() {
    return transferType == TransferType.SYNC;
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

  // ---- acknowledgements (Fig. 11 step 1105) ----

  /**
   * Moves a secondary forward. The SYNC writes it completes are completed after the lock is let go:
   * whatever waits on them (the NBD front end sends its replies from here) then holds up neither
   * the writers nor the send process.
   */
  void acknowledged(BatchFormat.Ack ack) {
    List<SyncWrite> done = new ArrayList<>();
    boolean releasesBatch = false;
    try {
      releasesBatch = acknowledged(ack, done);
    } finally {
      for (SyncWrite w : done) {
        w.done.complete(null);
      }
    }
    if (releasesBatch) {
      wakeSender.run();
    }
  }

  /** Returns whether a batch held back for group commit may go out now. */
  private boolean acknowledged(BatchFormat.Ack ack, List<SyncWrite> done) {
    lock.lock();
    try {
      SecondaryLink link = links.get(ack.from());
      if (link == null) {
        return false;
      }
      link.releaseWaitersUpTo(ack, done);
      if (!ack.stream().equals(link.stream())) {
        return false;
      }
      long now = System.nanoTime();
      boolean held = link.acknowledged(ack, now);
      flushWaits.complete();
      link.advance();
      progress.signalAll();
      return held && !link.out().holdsOpenBatch();
    } finally {
      lock.unlock();
    }
  }

  // ---- timeouts and resync, driven by the send process ----

  /** Deadlines, state changes and the next regions of a resync. */
  void tick(ReplicaVolume volume) {
    lock.lock();
    try {
      long now = System.nanoTime();
      long silence = settings.syncTimeout().toNanos();
      for (SecondaryLink link : links.values()) {
        if (link.waiterOverdue(now)) {
          timedOut(link);
        }
        if (link.resyncSilent(now, silence)) {
          markOutOfSync(link, "no acknowledgement during the resync for " + settings.syncTimeout());
        }
        link.advance();
        if (volume != null) {
          link.copyRegions(volume);
        }
      }
      for (SecondaryLink late : flushWaits.overdue(now)) {
        markOutOfSync(late, "the broker did not take its write data within a flush's time");
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

  private void timedOut(SecondaryLink link) {
    if (policy == SyncFailurePolicy.FAIL_WRITES) {
      StorageException e =
          new StorageException(
              Reason.TIMEOUT,
              "secondary "
                  + link.storageSystem
                  + " of copy group "
                  + groupId
                  + " did not store the write within "
                  + settings.syncTimeout()
                  + "; the group's policy fails the write (it is in the primary's cache)");
      link.failWaiters(e);
      LOG.warning(e.getMessage());
    } else {
      markOutOfSync(link, "no acknowledgement within " + settings.syncTimeout());
    }
  }

  // ---- out of sync: SYNC writes wait for the notice, not for the secondary ----

  /**
   * Marks a secondary out of sync (see {@link SecondaryLink#goOutOfSync}). Its SYNC writes no
   * longer wait for it, only for its out-of-date notice to be in the broker: they are acknowledged
   * once every notice on its way is there, or once a SYNC timeout has passed without it (the broker
   * is away too): then no copy can be told, and the loss is logged (see {@link NoticeGate}).
   */
  private void markOutOfSync(SecondaryLink link, String why) {
    long now = System.nanoTime();
    if (link.streaming()) {
      notices.noticeComing(now);
    }
    if (!link.goOutOfSync(why)) {
      return;
    }
    notices.holdInstead(link.takeWaiters());
    flushWaits.complete();
    progress.signalAll();
  }

  // ---- FLUSH and synchronize cache ----

  /**
   * Completes once every write queued so far is in the broker's journal (ASYNC) or on the
   * secondary's disk (SYNC, whose batches the broker holds only in memory), or its secondary is out
   * of sync with the regions recorded.
   */
  CompletableFuture<Void> flush() {
    return awaitSecondaries(false, settings.syncTimeout());
  }

  /**
   * Registers a waiter per secondary that does not yet have everything queued so far: committed
   * (SYNC: on its disk, which a marker asks it to reach now) or, {@code untilDurable}, on its disk.
   */
  private CompletableFuture<Void> awaitSecondaries(boolean untilDurable, Duration timeout) {
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    lock.lock();
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      for (SecondaryLink link : links.values()) {
        if (link.owes(untilDurable)) {
          long sequence =
              link.streaming() && (untilDurable || transferType == TransferType.SYNC)
                  ? link.out().marker()
                  : link.out().lastAssigned();
          waits.add(flushWaits.add(link, sequence, deadline, untilDurable));
        }
      }
    } finally {
      lock.unlock();
    }
    if (waits.isEmpty()) {
      return DONE;
    }
    wakeSender.run();
    return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
  }

  /**
   * Completes once every write queued so far is on the disk of every secondary in sync, or that
   * secondary is out of sync with the regions recorded; fails with {@link Reason#TIMEOUT} if that
   * takes longer than {@code timeout} (a slow secondary is not marked out of sync for it). The
   * activity log cools its regions on this.
   */
  public CompletableFuture<Void> durable(Duration timeout) {
    return awaitSecondaries(true, timeout);
  }

  /** See {@link CacheSynchronizer#synchronize}. */
  public CacheSynchronization synchronize(Set<String> secondaries, Duration timeout) {
    return synchronizer.synchronize(secondaries, timeout);
  }

  // ---- online verify ----

  /** See {@link PrimaryVerify#start}. */
  public void startVerify(VerifyRequest request, long volumeBytes, long defaultBytesPerSecond) {
    verify.start(request, volumeBytes, defaultBytesPerSecond);
  }

  /** See {@link PrimaryVerify#step}. */
  void verifyStep(ReplicaVolume volume) {
    verify.step(volume);
  }

  // ---- what may be missing at the secondaries ----

  /**
   * What may not yet be at every one of {@code secondaries}, as this stream knows it; changes
   * nothing. The regions marked out of sync, those a resync has copied that the secondary has not
   * all applied yet, and those a verify found different and nothing repaired. A secondary that went
   * out of sync before applying what was sent to it makes it {@code anywhere} (see {@link
   * SecondaryLink#missesUnknownRegions}).
   */
  public PendingRegions pending(Collection<String> secondaries) {
    lock.lock();
    try {
      BitSet regions = new BitSet();
      boolean anywhere = false;
      for (String s : outOfSync.secondaries()) {
        regions.or(outOfSync.regionsOf(s));
      }
      for (String s : secondaries) {
        regions.or(verifyRecords.unrepaired(s));
      }
      for (SecondaryLink link : links.values()) {
        regions.or(link.resyncCopied());
        anywhere |= link.missesUnknownRegions();
      }
      return new PendingRegions(OutOfSyncMap.REGION_BYTES, regions, anywhere);
    } finally {
      lock.unlock();
    }
  }

  // ---- status ----

  public List<SecondaryStatus> statusOf() {
    lock.lock();
    try {
      return statusOfLocked();
    } finally {
      lock.unlock();
    }
  }

  private List<SecondaryStatus> statusOfLocked() {
    List<SecondaryStatus> all = new ArrayList<>();
    for (SecondaryLink link : links.values()) {
      all.add(link.status());
    }
    return all;
  }
}
