package org.roamstore.storage.replication.send;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.roamstore.storage.api.CacheSynchronization;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyGroupStatus.SecondaryStatus;
import org.roamstore.storage.api.CopyGroupStatus.State;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.StorageException.Reason;
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
 * round trip (group commit) without any waiting on purpose. Its other jobs are in classes that
 * share its lock and secondaries: {@link Backpressure}, {@link OutOfSyncMarker}, {@link
 * OutOfSyncHandOver}, {@link BatchShipping}, {@link GroupTick}, {@link FlushWaits}, {@link
 * NoticeGate}, {@link CacheSynchronizer}, {@link PrimaryVerify}.
 */
public final class GroupStream {
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
  private final OutOfSyncMarker marker;
  private final Backpressure backpressure;
  private final OutOfSyncHandOver handOver;
  private final BatchShipping shipping;
  private final GroupTick ticks;
  private final BodyPool bodies = new BodyPool();
  private long epoch;
  // Written under the lock; read without it by the send process, to wake the SYNC lane or not.
  private volatile TransferType transferType = TransferType.ASYNC;

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
    this.marker = new OutOfSyncMarker(groupId, settings, progress, notices, flushWaits);
    this.backpressure = new Backpressure(settings, lock, progress, links, wakeSender, marker);
    this.handOver =
        new OutOfSyncHandOver(groupId, lock, links, outOfSync, verifyRecords, marker, wakeSender);
    this.shipping = new BatchShipping(groupId, lock, progress, links, notices, flushWaits);
    this.ticks = new GroupTick(settings, lock, links, marker, flushWaits, notices, bodies);
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
      backpressure.awaitRoom(waits);
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
      }
      wake = shipping.wantsShipping();
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

  /** How many writes had to wait for a secondary's backlog (see {@link Backpressure}). */
  long backlogWaits() {
    return backpressure.waits();
  }

  /** A new epoch: new streams, maybe other secondaries. Called with the lock held. */
  private void changeGroup(CopyVolumeGroupInfo group) {
    epoch = group.epoch();
    transferType = group.transferType();
    marker.policy(group.syncFailurePolicy());
    StreamKey stream = new StreamKey(epoch, incarnation);
    Set<String> before = changeMembers(group, stream);
    for (String s : before) {
      SecondaryLink link = links.get(s);
      link.out().closeOpen();
      if (link.out().hasRetained()) {
        // Acknowledgements of the old stream no longer count, so whether these reached the
        // secondary's disk will never be known: their regions are resent by a resync.
        marker.markOutOfSync(
            link, "the copy group changed before SYNC write data was durable there");
        link.out().dropRetained();
      }
      link.verify().interrupt("the copy group changed (epoch " + epoch + ")");
      link.restart(stream, transferType);
    }
  }

  /**
   * Gives the group {@code group}'s secondaries: a link for each new one (numbering its own stream
   * {@code stream} from 1), none for those no longer members. Returns the secondaries that had a
   * link before and keep it.
   */
  private Set<String> changeMembers(CopyVolumeGroupInfo group, StreamKey stream) {
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
              link.verify().interrupt("it is no longer a secondary of the group");
              return true;
            });
    notices.openIfTold();
    Set<String> kept = new java.util.LinkedHashSet<>();
    for (String s : secondaries) {
      if (links.containsKey(s)) {
        kept.add(s);
      } else {
        links.put(s, new SecondaryLink(s, stream, transferType, shared));
      }
    }
    bodies.sizeFor(links.size(), settings.maxBacklogBytes(), settings.maxBatchBytes());
    return kept;
  }

  /**
   * Makes the group known before the first write, e.g. to resume a resync after a restart. At the
   * same epoch only its secondaries may change (a copy added or dropped online): the others'
   * streams go on as they are, and a new one's link numbers the current stream from 1 for it.
   */
  public void define(CopyVolumeGroupInfo group) {
    lock.lock();
    try {
      if (group.epoch() != epoch) {
        changeGroup(group);
      } else if (!sameSecondaries(group)) {
        changeMembers(group, new StreamKey(epoch, incarnation));
      }
    } finally {
      lock.unlock();
    }
  }

  private boolean sameSecondaries(CopyVolumeGroupInfo group) {
    Set<String> secondaries = new java.util.HashSet<>();
    group.secondaries().forEach(m -> secondaries.add(m.address().storageSystem()));
    return secondaries.equals(links.keySet());
  }

  // ---- a change of primary: the out-of-sync regions move with it ----

  /** See {@link OutOfSyncHandOver#handOver}. */
  public OutOfSyncRegions handOver() {
    return handOver.handOver();
  }

  /** See {@link OutOfSyncHandOver#inherit}. */
  public void inherit(OutOfSyncRegions inherited) {
    handOver.inherit(inherited, "it missed writes at the previous primary");
  }

  /** Secondaries that joined the group get {@code missing} copied to them (see RemoteCopy). */
  public void joined(OutOfSyncRegions missing) {
    handOver.inherit(missing, "it joined the group and has yet to get its first copy");
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
    return shipping.take(into, max, lane);
  }

  /** Whether this stream's batches may take the SYNC lane (it is a SYNC group's). */
  boolean usesLane() {
    return transferType == TransferType.SYNC;
  }

  /** See {@link BatchShipping#hasLaneReady}. */
  boolean hasLaneReady() {
    return shipping.hasLaneReady();
  }

  /** See {@link BatchShipping#committed}. */
  void committed(List<Shipment> shipments) {
    shipping.committed(shipments);
  }

  /** See {@link BatchShipping#returned}. */
  void returned(List<Shipment> shipments) {
    shipping.returned(shipments);
  }

  /** See {@link BatchShipping#resendRetained}. */
  void resendRetained() {
    shipping.resendRetained();
  }

  boolean hasUnshipped() {
    return shipping.hasUnshipped();
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
      return held && !shipping.groupHolds();
    } finally {
      lock.unlock();
    }
  }

  // ---- timeouts and resync, driven by the send process ----

  /** See {@link GroupTick#tick}. */
  void tick(ReplicaVolume volume) {
    ticks.tick(volume);
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

  /** See {@link FlushWaits#addForQueued}; wakes the send process for the markers it queues. */
  private CompletableFuture<Void> awaitSecondaries(boolean untilDurable, Duration timeout) {
    List<CompletableFuture<Void>> waits;
    lock.lock();
    try {
      waits = flushWaits.addForQueued(untilDurable, transferType == TransferType.SYNC, timeout);
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

  /** See {@link OutOfSyncHandOver#pending}. */
  public PendingRegions pending(Collection<String> secondaries) {
    return handOver.pending(secondaries);
  }

  // ---- status ----

  public List<SecondaryStatus> statusOf() {
    lock.lock();
    try {
      List<SecondaryStatus> all = new ArrayList<>();
      for (SecondaryLink link : links.values()) {
        all.add(link.status());
      }
      return all;
    } finally {
      lock.unlock();
    }
  }
}
