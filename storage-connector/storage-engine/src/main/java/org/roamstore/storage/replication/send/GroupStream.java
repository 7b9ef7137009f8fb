package org.roamstore.storage.replication.send;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
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
import org.roamstore.storage.api.VerifyStatus;
import org.roamstore.storage.api.VerifyStatus.Outcome;
import org.roamstore.storage.replication.PendingRegions;
import org.roamstore.storage.replication.RemoteCopySettings;
import org.roamstore.storage.replication.ReplicaVolume;
import org.roamstore.storage.replication.WriteData;
import org.roamstore.storage.replication.batch.BatchFormat;
import org.roamstore.storage.replication.batch.RegionDigest;
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
  private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
  // Bodies kept while the stream is idle; under load, as many as the backlog bound holds.
  private static final int IDLE_BUFFERS = 8;
  // SYNC: while this many batches to a secondary await its acknowledgement, new writes gather in
  // the open batch instead of travelling in batches of their own. Each batch costs two messages
  // (data, acknowledgement), each crossing three processes and several threads: shipped at once,
  // the writes of a 16-deep queue travelled about six to a batch and the CPUs went to the hops.
  // Two keep a round trip's worth of writes in flight while the next batch fills.
  static final int SYNC_BATCHES_IN_FLIGHT = 2;

  private final String groupId;
  private final long incarnation;
  private final RemoteCopySettings settings;
  private final OutOfSyncMap outOfSync;
  private final VerifyRecords verifyRecords;
  // The send process's buffer for the regions a verify reads at the primary.
  private ByteBuffer verifyBuffer = ByteBuffer.allocate(0);
  private final Runnable wakeSender;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition progress = lock.newCondition();
  private final Map<String, Destination> destinations = new LinkedHashMap<>();
  private final List<FlushWaiter> flushWaiters = new ArrayList<>();
  // SYNC writes acknowledged only once every out-of-date notice on its way is in the broker (see
  // queueOutOfDateNotice), and until when they wait for that at most.
  private final List<SyncWrite> behindNotices = new ArrayList<>();
  private long noticesDeadlineNanos;
  // Full-sized batch bodies shipped for good, for the next batches (see OutgoingBatch.release).
  private final ArrayDeque<ByteBuffer> buffers = new ArrayDeque<>();
  private long epoch;
  // Written under the lock; read without it by the send process, to wake the SYNC lane or not.
  private volatile TransferType transferType = TransferType.ASYNC;
  private SyncFailurePolicy policy = SyncFailurePolicy.MARK_OUT_OF_SYNC;
  private long backlogWaits;

  /**
   * Someone waiting for a secondary to reach a sequence: a FLUSH (committed: in the broker's
   * journal, or for SYNC on the secondary's disk) or, {@code untilDurable}, the activity log's
   * cooling (on the secondary's disk, whatever the transfer type).
   */
  private record FlushWaiter(
      Destination destination,
      StreamKey stream,
      long sequence,
      long deadlineNanos,
      boolean untilDurable,
      CompletableFuture<Void> done) {

    /** Whether the secondary has what was waited for, or will never be asked for it again. */
    boolean reached() {
      Destination d = destination;
      return !d.streaming() && d.outOfDateNotice == null
          || (untilDurable ? d.durable >= sequence : d.committed >= sequence)
          || !d.stream.equals(stream) && !untilDurable;
    }
  }

  /** A batch on its way: taken by the send process, then committed or returned. */
  public record Shipment(
      String groupId, String storageSystem, Destination destination, OutgoingBatch batch) {
    public BatchFormat.Header header(String source) {
      return new BatchFormat.Header(
          groupId,
          batch.stream,
          source,
          batch.first,
          batch.last,
          batch.checkpoint,
          batch.lastWrite,
          batch.resyncing);
    }

    public byte[] body() {
      return batch.bodyArray();
    }

    /** The batch as a message of {@code session}, from {@code source}. */
    jakarta.jms.BytesMessage message(jakarta.jms.Session session, String source)
        throws jakarta.jms.JMSException {
      jakarta.jms.BytesMessage message = session.createBytesMessage();
      header(source).writeTo(message);
      message.writeBytes(body(), 0, bodyLength());
      return message;
    }

    public int bodyLength() {
      return batch.sizeBytes();
    }

    /** ASYNC batches go into the broker's journal; SYNC ones are retained by the primary. */
    public boolean persistent() {
      return !batch.retained;
    }
  }

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
      for (Destination d : destinations.values()) {
        if (!d.streaming()) {
          if (outOfSync.mark(d.storageSystem, write.offset(), write.length())) {
            saveOutOfSyncMap();
          }
          continue;
        }
        long sequence = assign(d, write.sequence(), write.offset(), write.length(), write.data());
        if (d.owingSinceNanos == 0) {
          d.owingSinceNanos = now;
        }
        if (waits && d.state == State.IN_SYNC) {
          if (sync == null) {
            sync = new SyncWrite();
          }
          sync.waitFor();
          d.waiters.add(
              new SyncWrite.Waiter(
                  d.stream, sequence, now + settings.syncTimeout().toNanos(), sync));
        }
        wake |= !d.ready.isEmpty() || !holdsOpenBatch(d);
      }
      if (waits && noticesOnTheirWay()) {
        if (sync == null) {
          sync = new SyncWrite();
        }
        sync.waitFor();
        behindNotices.add(sync);
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
        List<Destination> over = new ArrayList<>(0);
        for (Destination d : destinations.values()) {
          if (d.streaming() && d.uncommittedBytes > settings.maxBacklogBytes()) {
            over.add(d);
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
          for (Destination d : over) {
            backlogTooLong(d, sync);
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

  private void backlogTooLong(Destination d, boolean sync) {
    String why =
        "more than "
            + settings.maxBacklogBytes()
            + " bytes not yet safe in the broker for "
            + settings.backlogWait();
    if (sync && policy == SyncFailurePolicy.FAIL_WRITES) {
      throw new StorageException(
          Reason.TIMEOUT,
          "remote copy to "
              + d.storageSystem
              + " has "
              + why
              + "; the copy group "
              + groupId
              + " fails writes until it catches up");
    }
    markOutOfSync(d, why);
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

  /**
   * Numbers a write for one secondary, cutting it into entries that fit a batch; {@code
   * writeNumber} is the primary's number of the write (a resync's copy keeps the last one).
   */
  private long assign(Destination d, long writeNumber, long offset, long length, ByteBuffer data) {
    long last = assignPieces(d, offset, length, data);
    d.lastWrite = writeNumber;
    d.open.lastWrite = writeNumber; // the batch with the write's last piece
    return last;
  }

  private long assignPieces(Destination d, long offset, long length, ByteBuffer data) {
    if (data == null) {
      return add(d, offset, length, null);
    }
    // A piece of the batch limit fits a batch (see add): no 17-byte tail in a batch of its own.
    int maxPiece = batchBytes();
    ByteBuffer source = data.duplicate();
    long position = offset;
    long sequence;
    do {
      int n = Math.min(maxPiece, source.remaining());
      sequence = add(d, position, n, source.slice(source.position(), n));
      source.position(source.position() + n);
      position += n;
    } while (source.hasRemaining());
    return sequence;
  }

  /** SYNC batches stay below the broker's large-message size (see SYNC_BATCH_BYTES). */
  private int batchBytes() {
    return transferType == TransferType.SYNC
        ? Math.min(settings.maxBatchBytes(), RemoteCopySettings.SYNC_BATCH_BYTES)
        : settings.maxBatchBytes();
  }

  private long add(Destination d, long offset, long length, ByteBuffer data) {
    int entryBytes = BatchFormat.entryBytes(length, data == null);
    long sequence = openBatch(d, entryBytes).add(offset, length, data);
    d.lastAssigned = sequence;
    d.uncommittedBytes += entryBytes;
    d.assignedBytes += length;
    return sequence;
  }

  /** The secondary's open batch, with room for an entry of {@code entryBytes}. */
  private OutgoingBatch openBatch(Destination d, int entryBytes) {
    // The limit is on payload: a batch's body may exceed it by one entry header.
    int maxBody = batchBytes() + BatchFormat.ENTRY_HEADER_BYTES;
    if (d.open != null && !d.open.fits(entryBytes, maxBody)) {
      closeOpen(d);
    }
    if (d.open == null) {
      d.open =
          new OutgoingBatch(
              d.stream, d.lastAssigned + 1, transferType == TransferType.SYNC, maxBody, buffers);
      d.open.lastWrite = d.lastWrite;
    }
    return d.open;
  }

  /**
   * Queues a marker (an empty write) behind everything queued so far for a secondary, in a batch
   * that asks it to checkpoint at once: whoever waits for the marker to be durable waits for the
   * delivery and one checkpoint, not for the secondary's checkpoint interval.
   */
  private long marker(Destination d) {
    long sequence = add(d, 0, 0, null);
    d.open.checkpoint = true;
    return sequence;
  }

  private void closeOpen(Destination d) {
    if (d.open != null && !d.open.isEmpty()) {
      d.open.resyncing = d.state != State.IN_SYNC;
      d.ready.add(d.open);
      d.byteMarks.add(new long[] {d.open.last, d.assignedBytes});
    }
    d.open = null;
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
    destinations
        .values()
        .removeIf(
            d -> {
              if (secondaries.contains(d.storageSystem)) {
                return false;
              }
              releaseWaiters(d);
              d.outOfDateNotice = null; // whatever it holds no longer counts
              interruptVerify(d, "it is no longer a secondary of the group");
              return true;
            });
    releaseIfNoNoticeOnItsWay();
    for (String s : secondaries) {
      Destination d = destinations.get(s);
      if (d == null) {
        d = new Destination(s, stream);
        if (outOfSync.tracks(s)) {
          d.state = State.OUT_OF_SYNC; // known from before a restart of this unit
        }
        destinations.put(s, d);
      } else {
        closeOpen(d);
        if (!d.retained.isEmpty()) {
          // Acknowledgements of the old stream no longer count, so whether these reached the
          // secondary's disk will never be known: their regions are resent by a resync.
          markOutOfSync(d, "the copy group changed before SYNC write data was durable there");
          dropRetained(d);
        }
        interruptVerify(d, "the copy group changed (epoch " + epoch + ")");
        d.restart(stream);
      }
    }
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
      for (Destination d : destinations.values()) {
        if (d.state == State.RESYNCING) {
          markOutOfSync(d, "the primary moved during its resync");
        }
      }
      Map<String, BitSet> missing = new LinkedHashMap<>();
      for (String s : outOfSync.secondaries()) {
        missing.put(s, outOfSync.regionsOf(s));
      }
      // What a verify found different and did not repair: the next primary resyncs it.
      for (Destination d : destinations.values()) {
        BitSet unrepaired = verifyRecords.unrepaired(d.storageSystem);
        if (!unrepaired.isEmpty()) {
          missing.computeIfAbsent(d.storageSystem, s -> new BitSet()).or(unrepaired);
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
        Destination d = destinations.get(s);
        if (d == null) {
          continue; // no longer a member of the group
        }
        markOutOfSync(d, "it missed writes at the previous primary");
        // Its answer to this marker is what shows it is back and starts the resync.
        marker(d);
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
      for (Destination d : destinations.values()) {
        if (!holdsOpenBatch(d)) {
          closeOpen(d);
        }
        while (!d.ready.isEmpty() && into.size() < max) {
          OutgoingBatch batch = d.ready.peek();
          boolean takesLane = takesLane(d, batch);
          if (takesLane != lane) {
            forOther = true;
            break;
          }
          d.ready.poll();
          if (batch.retained) {
            d.unappliedSyncBatches.add(batch.last);
          }
          if (!takesLane && batch.stream.equals(d.stream)) {
            d.lastViaDataQueue = Math.max(d.lastViaDataQueue, batch.last);
          }
          into.add(new Shipment(groupId, d.storageSystem, d, batch));
        }
      }
    } finally {
      lock.unlock();
    }
    return forOther;
  }

  /**
   * A SYNC batch takes the lane once the secondary has applied every batch of its stream sent
   * through the write data queue, where a stream starts behind whatever was sent before it (see
   * Queues); lock held.
   */
  private static boolean takesLane(Destination d, OutgoingBatch batch) {
    return batch.retained
        && batch.stream.equals(d.stream)
        && d.applied > 0
        && d.applied >= d.lastViaDataQueue;
  }

  /** Whether this stream's batches may take the SYNC lane (it is a SYNC group's). */
  boolean usesLane() {
    return transferType == TransferType.SYNC;
  }

  /** Whether a batch of the SYNC lane is ready to go. */
  boolean hasLaneReady() {
    lock.lock();
    try {
      for (Destination d : destinations.values()) {
        if (!d.ready.isEmpty() && takesLane(d, d.ready.peek())) {
          return true;
        }
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Whether the secondary's open batch keeps gathering writes rather than going out now: SYNC group
   * commit (see {@link #SYNC_BATCHES_IN_FLIGHT}). Only for a secondary in sync (a resync goes at
   * the broker's pace) and never for a batch someone waits on to checkpoint. A batch that fills up
   * is closed and shipped regardless.
   */
  private boolean holdsOpenBatch(Destination d) {
    return d.open != null
        && d.open.retained
        && !d.open.checkpoint
        && d.state == State.IN_SYNC
        && d.unappliedSyncBatches.size() >= SYNC_BATCHES_IN_FLIGHT;
  }

  /**
   * How many shipped bodies to keep for reuse: enough for every secondary's full backlog, since a
   * sustained stream keeps that many in flight (fewer, and most bodies would still be garbage).
   */
  private int pooledBuffers() {
    long perSecondary = settings.maxBacklogBytes() / settings.maxBatchBytes() + 1;
    return (int) Math.min(1024, Math.max(IDLE_BUFFERS, perSecondary * destinations.size()));
  }

  /** The broker has these batches in its journal. */
  void committed(List<Shipment> shipments) {
    lock.lock();
    try {
      for (Shipment s : shipments) {
        Destination d = s.destination();
        if (s.batch() == d.outOfDateNotice) {
          d.outOfDateNotice = null;
          releaseIfNoNoticeOnItsWay();
        }
        if (s.batch().retained) {
          // Only in the broker's memory: safe once the secondary reports it durable, which it may
          // have done already (its acknowledgement can overtake this call).
          d.retained.add(s.batch());
          releaseDurable(d);
          continue;
        }
        d.uncommittedBytes -= s.batch().sizeBytes();
        s.batch().release(pooledBuffers());
        if (s.batch().stream.equals(d.stream)) {
          d.committed = Math.max(d.committed, s.batch().last);
        }
      }
      completeFlushWaiters(System.nanoTime());
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
        s.destination().ready.addFirst(s.batch());
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
      for (Destination d : destinations.values()) {
        while (!d.retained.isEmpty()) {
          d.ready.addFirst(d.retained.pollLast());
        }
        d.unappliedSyncBatches.clear(); // they are counted again as they go out again
      }
    } finally {
      lock.unlock();
    }
  }

  /** Forgets the retained batches (their ranges are in the out-of-sync map). */
  private void dropRetained(Destination d) {
    for (OutgoingBatch b : d.retained) {
      d.uncommittedBytes -= b.sizeBytes();
      b.release(0);
    }
    d.retained.clear();
  }

  boolean hasUnshipped() {
    lock.lock();
    try {
      for (Destination d : destinations.values()) {
        if (!d.ready.isEmpty() || (d.open != null && !d.open.isEmpty())) {
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
      Destination d = destinations.get(ack.from());
      if (d == null) {
        return false;
      }
      long now = System.nanoTime();
      while (!d.waiters.isEmpty()
          && d.waiters.peek().stream().equals(ack.stream())
          && d.waiters.peek().sequence() <= ack.applied()) {
        SyncWrite w = d.waiters.poll().write();
        if (w.arrive()) {
          done.add(w);
        }
      }
      if (!ack.stream().equals(d.stream)) {
        return false;
      }
      if (d.verification != null) {
        verified(d, ack);
      }
      if (ack.applied() > d.applied) {
        d.applied = ack.applied();
        while (!d.byteMarks.isEmpty() && d.byteMarks.peek()[0] <= d.applied) {
          d.appliedBytes = d.byteMarks.poll()[1];
        }
        if (d.applied >= d.lastAssigned) {
          d.appliedBytes = d.assignedBytes;
        }
        d.owingSinceNanos = d.applied >= d.lastAssigned ? 0 : now;
        sampleRate(d, now);
      }
      boolean held = holdsOpenBatch(d);
      while (!d.unappliedSyncBatches.isEmpty() && d.unappliedSyncBatches.peek() <= d.applied) {
        d.unappliedSyncBatches.poll();
      }
      d.durable = Math.max(d.durable, ack.durable());
      releaseDurable(d);
      completeFlushWaiters(now);
      advance(d);
      progress.signalAll();
      return held && !holdsOpenBatch(d);
    } finally {
      lock.unlock();
    }
  }

  /** Retained batches the secondary has on disk are safe: they count as committed now. */
  private void releaseDurable(Destination d) {
    boolean released = false;
    while (!d.retained.isEmpty()
        && d.retained.peek().stream.equals(d.stream)
        && d.retained.peek().last <= d.durable) {
      OutgoingBatch b = d.retained.poll();
      d.uncommittedBytes -= b.sizeBytes();
      b.release(pooledBuffers());
      d.committed = Math.max(d.committed, b.last);
      released = true;
    }
    if (released) {
      completeFlushWaiters(System.nanoTime());
    }
  }

  private static void sampleRate(Destination d, long now) {
    if (d.rateSampleNanos == 0) {
      d.rateSampleNanos = now;
      d.rateSampleBytes = d.appliedBytes;
      return;
    }
    long elapsed = now - d.rateSampleNanos;
    if (elapsed >= TimeUnit.MILLISECONDS.toNanos(200)) {
      double rate = (d.appliedBytes - d.rateSampleBytes) * 1e9 / elapsed;
      d.rate = d.rate == 0 ? rate : 0.7 * d.rate + 0.3 * rate;
      d.rateSampleNanos = now;
      d.rateSampleBytes = d.appliedBytes;
    }
  }

  /** Moves a secondary between out of sync, resyncing and in sync when it has earned it. */
  private void advance(Destination d) {
    if (d.state == State.OUT_OF_SYNC && d.applied >= d.lastAssigned) {
      // It has applied everything sent before it went out of sync: it is back.
      startResync(d, "answers again");
    }
    if (d.state == State.RESYNCING
        && outOfSync.count(d.storageSystem) == 0
        && d.applied >= d.resyncLastSequence) {
      d.state = State.IN_SYNC;
      d.resyncCopied.clear();
      outOfSync.forget(d.storageSystem);
      saveOutOfSyncMap();
      // A batch closed in sync tells the secondary its copy is whole again (its data generation),
      // even if no write comes for a while.
      marker(d);
      LOG.info(() -> "copy group " + groupId + ": " + d.storageSystem + " is in sync again");
    }
  }

  /** Copies the marked regions to a secondary that takes the stream, behind what is queued. */
  private void startResync(Destination d, String why) {
    d.state = State.RESYNCING;
    d.resyncTotal = outOfSync.count(d.storageSystem);
    d.resyncCursor = 0;
    d.resyncLastSequence = d.lastAssigned;
    d.owingSinceNanos = System.nanoTime();
    LOG.info(
        () ->
            "copy group "
                + groupId
                + ": "
                + d.storageSystem
                + " "
                + why
                + ", resynchronising "
                + d.resyncTotal
                + " region(s)");
  }

  // ---- timeouts and resync, driven by the send process ----

  /** Deadlines, state changes and the next regions of a resync. */
  void tick(ReplicaVolume volume) {
    lock.lock();
    try {
      long now = System.nanoTime();
      long silence = settings.syncTimeout().toNanos();
      for (Destination d : destinations.values()) {
        SyncWrite.Waiter head = d.waiters.peek();
        if (head != null && now - head.deadlineNanos() > 0) {
          timedOut(d);
        }
        if (d.state == State.RESYNCING
            && d.owingSinceNanos != 0
            && now - d.owingSinceNanos > silence) {
          markOutOfSync(d, "no acknowledgement during the resync for " + settings.syncTimeout());
        }
        advance(d);
        if (d.state == State.RESYNCING && volume != null) {
          copyRegions(d, volume);
        }
      }
      for (FlushWaiter w : flushWaiters) {
        if (!w.done().isDone() && now - w.deadlineNanos() > 0) {
          if (w.untilDurable()) {
            w.done()
                .completeExceptionally(
                    new StorageException(
                        Reason.TIMEOUT,
                        w.destination().storageSystem + " did not make its data durable in time"));
          } else {
            markOutOfSync(
                w.destination(), "the broker did not take its write data within a flush's time");
          }
        }
      }
      if (now - noticesDeadlineNanos > 0 && noticesOnTheirWay()) {
        notToldInTime();
      }
      completeFlushWaiters(now);
      trimBuffers();
    } finally {
      lock.unlock();
    }
  }

  /** Gives back to the heap the bodies pooled for a load that has passed. */
  private void trimBuffers() {
    for (Destination d : destinations.values()) {
      if (d.uncommittedBytes > 0 || d.open != null || !d.ready.isEmpty()) {
        return;
      }
    }
    while (buffers.size() > IDLE_BUFFERS) {
      buffers.poll();
    }
  }

  private void timedOut(Destination d) {
    if (policy == SyncFailurePolicy.FAIL_WRITES) {
      StorageException e =
          new StorageException(
              Reason.TIMEOUT,
              "secondary "
                  + d.storageSystem
                  + " of copy group "
                  + groupId
                  + " did not store the write within "
                  + settings.syncTimeout()
                  + "; the group's policy fails the write (it is in the primary's cache)");
      while (!d.waiters.isEmpty()) {
        d.waiters.poll().write().fail(e);
      }
      LOG.warning(e.getMessage());
    } else {
      markOutOfSync(d, "no acknowledgement within " + settings.syncTimeout());
    }
  }

  /** Copies the next marked regions into the stream, while the batches in flight are few. */
  private void copyRegions(Destination d, ReplicaVolume volume) {
    long window = 16L * settings.maxBatchBytes();
    while (d.uncommittedBytes < window) {
      int region = outOfSync.next(d.storageSystem, d.resyncCursor);
      if (region < 0 && d.resyncCursor > 0) {
        d.resyncCursor = 0;
        region = outOfSync.next(d.storageSystem, 0);
      }
      if (region < 0) {
        return;
      }
      long offset = (long) region * OutOfSyncMap.REGION_BYTES;
      int length = (int) Math.min(OutOfSyncMap.REGION_BYTES, volume.sizeBytes() - offset);
      outOfSync.clear(d.storageSystem, region);
      d.resyncCopied.set(region);
      d.resyncCursor = region + 1;
      if (length <= 0) {
        continue;
      }
      ByteBuffer data = ByteBuffer.allocate(length);
      // Under the lock: a write to this region either is in what we read, or comes after it in
      // the stream, so the secondary ends with the newest bytes either way.
      volume.read(offset, data);
      data.flip();
      d.resyncLastSequence = assign(d, d.lastWrite, offset, length, data);
      if (d.owingSinceNanos == 0) {
        d.owingSinceNanos = System.nanoTime();
      }
    }
  }

  private void markOutOfSync(Destination d, String why) {
    if (d.state == State.OUT_OF_SYNC) {
      return;
    }
    d.state = State.OUT_OF_SYNC;
    interruptVerify(d, "it went out of sync: " + why);
    outOfSync.track(d.storageSystem); // from now on, even before any region is written
    OutgoingBatch.RangeConsumer mark =
        (offset, length) -> outOfSync.mark(d.storageSystem, offset, length);
    // Batches not yet in the broker might never get there: their regions are resent by the resync.
    for (OutgoingBatch b : d.retained) {
      b.forEachRange(mark); // in the broker's memory only; a broker restart would lose them
    }
    for (OutgoingBatch b : d.ready) {
      b.forEachRange(mark);
    }
    if (d.open != null) {
      d.open.forEachRange(mark);
    }
    saveOutOfSyncMap();
    queueOutOfDateNotice(d);
    // Its SYNC writes no longer wait for it, only for the notice.
    while (!d.waiters.isEmpty()) {
      behindNotices.add(d.waiters.poll().write());
    }
    LOG.warning(
        "copy group "
            + groupId
            + ": secondary "
            + d.storageSystem
            + " is out of sync ("
            + why
            + "); writes go on without it and are resynchronised when it answers");
    completeFlushWaiters(System.nanoTime());
    progress.signalAll();
  }

  /**
   * Tells a secondary going out of sync that it is out of date, before any write it misses is
   * acknowledged: should the primary die next, its data generation then says it may lack writes
   * ({@code resyncing}), and a takeover does not take it for a whole copy. Otherwise it would show
   * the last write it got as complete while the primary went on acknowledging writes without it,
   * and a forced takeover to it would lose them silently. The notice is a marker in a persistent
   * batch of its stream (in the broker's journal, which outlives the primary), flagged as sent out
   * of sync and to be checkpointed at once; it stays until the secondary answers and is resynced,
   * whose last batch says in sync again. SYNC writes are acknowledged only once the broker has it,
   * or once a SYNC timeout has passed without it (the broker is away too): then no copy can be
   * told, and the loss is logged (see notToldInTime).
   */
  private void queueOutOfDateNotice(Destination d) {
    if (!noticesOnTheirWay()) {
      noticesDeadlineNanos = System.nanoTime() + settings.syncTimeout().toNanos();
    }
    closeOpen(d);
    int maxBody = batchBytes() + BatchFormat.ENTRY_HEADER_BYTES;
    d.open = new OutgoingBatch(d.stream, d.lastAssigned + 1, false, maxBody, buffers);
    d.open.lastWrite = d.lastWrite;
    add(d, 0, 0, null);
    d.open.checkpoint = true;
    d.outOfDateNotice = d.open;
    closeOpen(d); // flagged resyncing: the secondary is out of sync now
  }

  private boolean noticesOnTheirWay() {
    for (Destination d : destinations.values()) {
      if (d.outOfDateNotice != null) {
        return true;
      }
    }
    return false;
  }

  private void releaseIfNoNoticeOnItsWay() {
    if (noticesOnTheirWay()) {
      return;
    }
    for (SyncWrite w : behindNotices) {
      w.arrived();
    }
    behindNotices.clear();
  }

  /**
   * The broker did not take an out-of-date notice within a SYNC timeout: the writes and FLUSHes go
   * on (the group's policy), but a secondary that never hears it looks whole while it lacks them.
   */
  private void notToldInTime() {
    List<String> untold = new ArrayList<>();
    for (Destination d : destinations.values()) {
      if (d.outOfDateNotice != null) {
        untold.add(d.storageSystem);
        d.outOfDateNotice = null; // it still goes out when the broker takes it
      }
    }
    LOG.severe(
        "copy group "
            + groupId
            + ": the broker did not take the notice that "
            + untold
            + " are out of date within "
            + settings.syncTimeout()
            + "; SYNC writes go on without them, and should this primary be lost before they hear"
            + " it, a takeover by one of them may lose acknowledged writes");
    releaseIfNoNoticeOnItsWay();
  }

  private static void releaseWaiters(Destination d) {
    while (!d.waiters.isEmpty()) {
      d.waiters.poll().write().arrived();
    }
  }

  private void saveOutOfSyncMap() {
    try {
      outOfSync.save();
    } catch (IOException e) {
      LOG.log(Level.SEVERE, "cannot save the out-of-sync regions of copy group " + groupId, e);
    }
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
      for (Destination d : destinations.values()) {
        // One out of sync owes nothing but its out-of-date notice, if that is on its way.
        boolean owes =
            d.streaming()
                ? (untilDurable ? d.durable : d.committed) < d.lastAssigned
                : d.outOfDateNotice != null;
        if (owes) {
          long sequence =
              d.streaming() && (untilDurable || transferType == TransferType.SYNC)
                  ? marker(d)
                  : d.lastAssigned;
          FlushWaiter w =
              new FlushWaiter(
                  d, d.stream, sequence, deadline, untilDurable, new CompletableFuture<>());
          flushWaiters.add(w);
          waits.add(w.done());
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

  private void completeFlushWaiters(long now) {
    if (flushWaiters.isEmpty()) {
      return;
    }
    flushWaiters.removeIf(
        w -> {
          Destination d = w.destination();
          if (w.done().isDone()) {
            return true;
          }
          if (w.untilDurable()
              && (!d.stream.equals(w.stream()) || !destinations.containsValue(d))) {
            // The stream moved on (a new epoch): whether the old one got there is unknown.
            w.done()
                .completeExceptionally(
                    new StorageException(
                        Reason.TIMEOUT, "the stream to " + d.storageSystem + " changed"));
            return true;
          }
          boolean done = w.reached() || !destinations.containsValue(d);
          if (done) {
            w.done().complete(null);
          }
          return done;
        });
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

  /**
   * Synchronize cache: waits until every write queued before the call is applied and durable at the
   * named secondaries (every one not out of sync if none is named).
   */
  public CacheSynchronization synchronize(Set<String> secondaries, Duration timeout) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    Map<Destination, Long> targets = new LinkedHashMap<>();
    long bytes = 0;
    lock.lock();
    try {
      for (String s : secondaries) {
        if (!destinations.containsKey(s)) {
          throw new StorageException(
              Reason.INVALID_ARGUMENT,
              s + " is not a secondary of copy group " + groupId + " " + destinations.keySet());
        }
      }
      for (Destination d : destinations.values()) {
        if (secondaries.isEmpty() ? d.streaming() : secondaries.contains(d.storageSystem)) {
          // A marker (an empty write) behind everything queued so far, in the broker too: once it
          // is acknowledged, whatever was sent before it, even by an earlier start of this unit,
          // has been dealt with by the secondary.
          targets.put(d, d.streaming() ? marker(d) : d.lastAssigned);
          bytes += d.lagBytes();
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
        for (Map.Entry<Destination, Long> t : targets.entrySet()) {
          all &= synchronizedTo(t.getKey(), t.getValue());
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
      targets.forEach((d, seq) -> reached.put(d.storageSystem, seq));
      return new CacheSynchronization(
          groupId, reached, bytes, Duration.ofNanos(System.nanoTime() - start));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException(Reason.IO_ERROR, "interrupted while synchronizing the cache");
    } finally {
      lock.unlock();
    }
  }

  private static boolean synchronizedTo(Destination d, long target) {
    return d.state == State.IN_SYNC && d.durable >= Math.min(target, d.lastAssigned);
  }

  private static String describe(Map<Destination, Long> targets) {
    List<String> parts = new ArrayList<>();
    targets.forEach(
        (d, target) ->
            parts.add(
                d.storageSystem
                    + " has "
                    + Math.min(d.durable, target)
                    + " of "
                    + target
                    + " writes on disk ("
                    + d.state
                    + (d.state == State.IN_SYNC
                        ? ", " + d.lagBytes() + " bytes to go"
                        : ", " + outOfSyncRegions(d) + " region(s) to resync")
                    + ")"));
    return String.join("; ", parts);
  }

  private static String outOfSyncRegions(Destination d) {
    return d.resyncTotal > 0 ? Integer.toString(d.resyncTotal) : "some";
  }

  // ---- online verify ----

  /**
   * Starts a verify of the named secondaries (every one taking the stream if none is named) of a
   * volume of {@code volumeBytes}; one already running goes on. Refuses, changing nothing, a name
   * that is no secondary or one that is out of sync or resyncing: what it lacks is known already.
   */
  public void startVerify(VerifyRequest request, long volumeBytes, long defaultBytesPerSecond) {
    lock.lock();
    try {
      List<Destination> chosen = new ArrayList<>();
      for (String s : request.secondaries()) {
        Destination d = destinations.get(s);
        if (d == null) {
          throw new StorageException(
              Reason.INVALID_ARGUMENT,
              s + " is not a secondary of copy group " + groupId + " " + destinations.keySet());
        }
        if (d.state != State.IN_SYNC) {
          throw new StorageException(
              Reason.INVALID_ARGUMENT,
              s
                  + " is "
                  + d.state
                  + " in copy group "
                  + groupId
                  + ": it needs its resync, not a verify; verify it once it is in sync");
        }
      }
      for (Destination d : destinations.values()) {
        boolean named = request.secondaries().contains(d.storageSystem);
        if (named || (request.secondaries().isEmpty() && d.state == State.IN_SYNC)) {
          chosen.add(d);
        }
      }
      if (chosen.isEmpty()) {
        throw new StorageException(
            Reason.INVALID_ARGUMENT,
            "copy group " + groupId + " has no secondary in sync to verify " + statusOfLocked());
      }
      long rate =
          request.rateMiBPerSecond() > 0
              ? (long) request.rateMiBPerSecond() << 20
              : defaultBytesPerSecond;
      for (Destination d : chosen) {
        if (d.verification == null) {
          d.verification = new Verification(volumeBytes, rate, request.repair());
          LOG.info(
              () ->
                  "copy group "
                      + groupId
                      + ": verifying "
                      + d.storageSystem
                      + " ("
                      + volumeBytes
                      + " bytes at up to "
                      + (rate >> 20)
                      + " MiB/s"
                      + (request.repair() ? ", repairing differences" : "")
                      + ")");
        }
      }
    } finally {
      lock.unlock();
    }
    wakeSender.run();
  }

  /** The most regions one round of the send process reads for verifies (then it ships again). */
  private static final int VERIFY_REGIONS_PER_STEP = 8;

  /**
   * Asks the next regions of the running verifies, as far as their rates allow; called by the send
   * process between its rounds, without the lock. Each region is read at the primary with no write
   * between its cache and the stream ({@link ReplicaVolume#atStreamPoint}) and its verify entry
   * goes into the stream at that point, so both copies hash the region after the same writes; the
   * hashing happens after, with nothing held.
   */
  void verifyStep(ReplicaVolume volume) {
    if (volume == null) {
      return;
    }
    for (int i = 0; i < VERIFY_REGIONS_PER_STEP; i++) {
      List<Asking> asking = new ArrayList<>(1);
      int region = nextVerifyRegion(asking);
      if (region < 0) {
        return;
      }
      // Computed from the verify taken under the lock: it may be interrupted meanwhile.
      long offset = asking.get(0).verification().offsetOf(region);
      int length = asking.get(0).verification().lengthOf(region);
      if (verifyBuffer.capacity() < length) {
        verifyBuffer = ByteBuffer.allocate(length);
      }
      ByteBuffer data = verifyBuffer.clear().limit(length);
      boolean read =
          volume.atStreamPoint(
              () -> {
                volume.readStored(offset, data);
                askVerify(asking, region, offset, length);
              });
      if (!read) {
        return; // busy (again next round), or no longer the primary (the new group interrupts it)
      }
      data.flip();
      byte[] digest = RegionDigest.of(data);
      lock.lock();
      try {
        for (Asking a : asking) {
          if (a.stillRuns()) {
            a.verification().primaryDigest(offset, digest);
            finishVerifyIfDone(a.destination());
          }
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * A secondary asking a region, with the verify that asks it: a verify interrupted and another
   * started meanwhile must not be credited with a region it did not ask.
   */
  private record Asking(Destination destination, Verification verification) {
    boolean stillRuns() {
      return destination.verification == verification && destination.streaming();
    }
  }

  /** The lowest region a running verify may ask now, and the secondaries that ask it. */
  private int nextVerifyRegion(List<Asking> asking) {
    lock.lock();
    try {
      long now = System.nanoTime();
      int lowest = -1;
      for (Destination d : destinations.values()) {
        int r = d.verification == null || !d.streaming() ? -1 : d.verification.next(now);
        if (r >= 0 && (lowest < 0 || r < lowest)) {
          lowest = r;
          asking.clear();
        }
        if (r >= 0 && r == lowest) {
          asking.add(new Asking(d, d.verification));
        }
      }
      return lowest;
    } finally {
      lock.unlock();
    }
  }

  /** Puts a verify entry into each asking secondary's stream; with the volume at a stream point. */
  private void askVerify(List<Asking> asking, int region, long offset, int length) {
    lock.lock();
    try {
      asking.removeIf(a -> !a.stillRuns());
      for (Asking a : asking) {
        Destination d = a.destination();
        long sequence = openBatch(d, BatchFormat.ENTRY_HEADER_BYTES).addVerify(offset, length);
        d.lastAssigned = sequence;
        d.uncommittedBytes += BatchFormat.ENTRY_HEADER_BYTES;
        a.verification().asked(region, sequence);
      }
    } finally {
      lock.unlock();
    }
    wakeSender.run();
  }

  /** An acknowledgement's digests; called with the lock held and the verify running. */
  private void verified(Destination d, BatchFormat.Ack ack) {
    Verification v = d.verification;
    for (RegionDigest r : ack.digests()) {
      v.secondaryDigest(r.offset(), r.digest());
    }
    v.answeredUpTo(ack.applied());
    finishVerifyIfDone(d);
  }

  private void finishVerifyIfDone(Destination d) {
    Verification v = d.verification;
    if (v == null || !v.done()) {
      return;
    }
    d.verification = null;
    BitSet differing = v.differing();
    VerifyStatus result =
        v.status(differing.isEmpty() ? Outcome.NO_DIFFERENCE : Outcome.DIFFERENCES, null);
    recordVerify(d, result, v.repair ? new BitSet() : differing);
    String summary =
        "copy group "
            + groupId
            + ": verify of "
            + d.storageSystem
            + " compared "
            + result.bytesVerified()
            + " bytes at "
            + String.format("%.1f", v.mibPerSecond())
            + " MiB/s: ";
    if (differing.isEmpty()) {
      LOG.info(summary + "no difference");
      return;
    }
    LOG.warning(
        summary
            + differing.cardinality()
            + " region(s) differ from the primary, first at offsets "
            + result.differingOffsets()
            + (v.repair ? "; resynchronising them from the primary" : "; not repaired"));
    if (v.repair && d.streaming()) {
      for (int r = differing.nextSetBit(0); r >= 0; r = differing.nextSetBit(r + 1)) {
        outOfSync.mark(d.storageSystem, v.offsetOf(r), Verification.REGION_BYTES);
      }
      saveOutOfSyncMap();
      startResync(d, "differs from the primary (verify)");
    }
  }

  private void interruptVerify(Destination d, String why) {
    Verification v = d.verification;
    if (v == null) {
      return;
    }
    d.verification = null;
    recordVerify(d, v.status(Outcome.INTERRUPTED, why), new BitSet());
    LOG.warning("copy group " + groupId + ": verify of " + d.storageSystem + " stopped: " + why);
  }

  private void recordVerify(Destination d, VerifyStatus result, BitSet unrepaired) {
    try {
      verifyRecords.finished(d.storageSystem, result, unrepaired);
    } catch (IOException e) {
      LOG.log(Level.SEVERE, "cannot save the verify of copy group " + groupId, e);
    }
  }

  // ---- what may be missing at the secondaries ----

  /**
   * What may not yet be at every one of {@code secondaries}, as this stream knows it; changes
   * nothing. The regions marked out of sync, those a resync has copied that the secondary has not
   * all applied yet, and those a verify found different and nothing repaired. A secondary that went
   * out of sync before applying what was sent to it makes it {@code anywhere}: those batches are in
   * the broker's journal, no longer here, and where they write is not kept.
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
      for (Destination d : destinations.values()) {
        regions.or(d.resyncCopied);
        anywhere |= d.state == State.OUT_OF_SYNC && d.applied < d.lastAssigned;
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
    for (Destination d : destinations.values()) {
      long lagBytes = d.lagBytes();
      State state = d.state == State.IN_SYNC && d.lagWrites() > 0 ? State.LAGGING : d.state;
      double seconds = lagBytes == 0 ? 0 : d.rate > 0 ? lagBytes / d.rate : -1;
      int regions = outOfSync.count(d.storageSystem);
      int unrepaired = verifyRecords.unrepaired(d.storageSystem).cardinality();
      if (unrepaired > 0 && d.streaming()) {
        state = State.OUT_OF_SYNC; // a verify found differences that nothing repaired yet
        regions += unrepaired;
      }
      int percent =
          switch (state) {
            case OUT_OF_SYNC -> 0;
            case RESYNCING ->
                d.resyncTotal == 0 ? 100 : (int) (100L * (d.resyncTotal - regions) / d.resyncTotal);
            default -> 100;
          };
      all.add(
          new SecondaryStatus(
              d.storageSystem,
              state,
              d.lagWrites(),
              lagBytes,
              seconds,
              (long) regions * OutOfSyncMap.REGION_BYTES,
              percent,
              d.verification != null
                  ? d.verification.status(Outcome.RUNNING, null)
                  : verifyRecords.last(d.storageSystem)));
    }
    return all;
  }
}
