package org.roamstore.storage.replication.send;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.storage.api.CopyGroupStatus.SecondaryStatus;
import org.roamstore.storage.api.CopyGroupStatus.State;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.api.VerifyStatus;
import org.roamstore.storage.api.VerifyStatus.Outcome;
import org.roamstore.storage.replication.RemoteCopySettings;
import org.roamstore.storage.replication.ReplicaVolume;
import org.roamstore.storage.replication.WriteData;
import org.roamstore.storage.replication.batch.BatchFormat;
import org.roamstore.storage.replication.batch.RegionDigest;
import org.roamstore.storage.replication.batch.StreamKey;

/**
 * One secondary of one copy group as its primary keeps it: the stream of writes numbered for it,
 * the batches not yet safely in the broker, how far it has acknowledged, and its state (in sync,
 * lagging, out of sync, resyncing, and a verify running or not), with every move between those
 * states in this class. Called with the owning {@link GroupStream}'s lock held; what concerns the
 * whole group (the writes waiting on several secondaries, FLUSHes, the group's policy) stays there.
 */
final class SecondaryLink {
  private static final Logger LOG = Logger.getLogger(SecondaryLink.class.getName());

  // SYNC: while this many batches to a secondary await its acknowledgement, new writes gather in
  // the open batch instead of travelling in batches of their own. Each batch costs two messages
  // (data, acknowledgement), each crossing three processes and several threads: shipped at once,
  // the writes of a 16-deep queue travelled about six to a batch and the CPUs went to the hops.
  // Two keep a round trip's worth of writes in flight while the next batch fills.
  static final int SYNC_BATCHES_IN_FLIGHT = 2;

  /** What the secondaries of one group share. */
  record Group(
      String groupId,
      RemoteCopySettings settings,
      OutOfSyncMap outOfSync,
      VerifyRecords verifyRecords,
      BodyPool bodies) {}

  final String storageSystem;
  private final Group group;
  private StreamKey stream;
  private TransferType transferType;
  private long lastAssigned; // the last sequence handed a write in the current stream
  // The last sequence in the broker's journal (SYNC: on the secondary's disk).
  private long committed;
  private long applied; // the last sequence the secondary has in its cache
  private long durable; // the last sequence on the secondary's disk
  // The primary's number (WriteData.sequence) of the last write put into this stream whole: the
  // same for every secondary taking the stream, unlike the sequences.
  private long lastWrite;
  private State state = State.IN_SYNC; // IN_SYNC, OUT_OF_SYNC or RESYNCING; LAGGING is derived

  private OutgoingBatch open;
  private final ArrayDeque<OutgoingBatch> ready = new ArrayDeque<>();
  private long
      uncommittedBytes; // of batches not yet safe: not in the broker's journal, or retained
  // SYNC batches the broker has (not persistently) and the secondary has not reported durable.
  private final ArrayDeque<OutgoingBatch> retained = new ArrayDeque<>();
  private final ArrayDeque<SyncWrite.Waiter> waiters = new ArrayDeque<>();
  // SYNC: the last sequence of each batch taken for shipping that the secondary has not yet
  // acknowledged as applied, oldest first (see holdsOpenBatch).
  private final ArrayDeque<Long> unappliedSyncBatches = new ArrayDeque<>();
  // SYNC: the last sequence of the current stream shipped through the write data queue; once the
  // secondary has applied it, the stream's batches go through its SYNC queue (see Queues).
  private long lastViaDataQueue;

  // Lag in bytes: cumulative payload assigned, and per unacknowledged batch its cumulative mark.
  private long assignedBytes;
  private long appliedBytes;
  private final ArrayDeque<long[]> byteMarks = new ArrayDeque<>(); // {lastSequence, assignedBytes}

  // Since when the secondary owes an acknowledgement (0: it owes none).
  private long owingSinceNanos;
  // Catch-up rate, bytes per second, smoothed.
  private double rate;
  private long rateSampleNanos;
  private long rateSampleBytes;

  // Resync: the sequence of the last copied region, and the region count at its start.
  private long resyncLastSequence;
  private int resyncTotal;
  private int resyncCursor;
  // Regions (OutOfSyncMap.REGION_BYTES) the resync has copied into the stream, no longer marked in
  // the map: until the secondary is in sync again they may still be on their way to it.
  private final BitSet resyncCopied = new BitSet();

  // The notice that tells it it is out of date (see queueOutOfDateNotice), until the broker has it
  // in its journal; null if none is on its way.
  private OutgoingBatch outOfDateNotice;

  // The online verify running for it; null if none.
  private Verification verification;

  SecondaryLink(String storageSystem, StreamKey stream, TransferType transferType, Group group) {
    this.storageSystem = storageSystem;
    this.stream = stream;
    this.transferType = transferType;
    this.group = group;
    if (group.outOfSync().tracks(storageSystem)) {
      state = State.OUT_OF_SYNC; // known from before a restart of this unit
    }
  }

  /** A new stream (new epoch): numbering starts again from 1. */
  void restart(StreamKey newStream, TransferType newTransferType) {
    stream = newStream;
    transferType = newTransferType;
    lastAssigned = 0;
    committed = 0;
    applied = 0;
    durable = 0;
    byteMarks.clear();
    unappliedSyncBatches.clear();
    lastViaDataQueue = 0;
    assignedBytes = 0;
    appliedBytes = 0;
    owingSinceNanos = 0;
    resyncLastSequence = 0;
  }

  StreamKey stream() {
    return stream;
  }

  State state() {
    return state;
  }

  boolean streaming() {
    return state != State.OUT_OF_SYNC;
  }

  long lastAssigned() {
    return lastAssigned;
  }

  private long lagWrites() {
    return Math.max(0, lastAssigned - applied);
  }

  long lagBytes() {
    return Math.max(0, assignedBytes - appliedBytes);
  }

  // ---- numbering the writes of its stream ----

  /** Queues a write for it, a secondary taking the stream; returns the write's last sequence. */
  long queue(WriteData write, long now) {
    long sequence = assign(write.sequence(), write.offset(), write.length(), write.data());
    if (owingSinceNanos == 0) {
      owingSinceNanos = now;
    }
    return sequence;
  }

  /** A SYNC write waits for this secondary to have {@code sequence} in its cache. */
  void awaitedBy(SyncWrite write, long sequence, long deadlineNanos) {
    write.waitFor();
    waiters.add(new SyncWrite.Waiter(stream, sequence, deadlineNanos, write));
  }

  /** A write it misses, out of sync: its range is resynced when it answers. */
  void missed(long offset, long length) {
    if (group.outOfSync().mark(storageSystem, offset, length)) {
      saveOutOfSyncMap();
    }
  }

  /**
   * Numbers a write, cutting it into entries that fit a batch; {@code writeNumber} is the primary's
   * number of the write (a resync's copy keeps the last one).
   */
  private long assign(long writeNumber, long offset, long length, ByteBuffer data) {
    long last = assignPieces(offset, length, data);
    lastWrite = writeNumber;
    open.lastWrite = writeNumber; // the batch with the write's last piece
    return last;
  }

  private long assignPieces(long offset, long length, ByteBuffer data) {
    if (data == null) {
      return add(offset, length, null);
    }
    // A piece of the batch limit fits a batch (see add): no 17-byte tail in a batch of its own.
    int maxPiece = batchBytes();
    ByteBuffer source = data.duplicate();
    long position = offset;
    long sequence;
    do {
      int n = Math.min(maxPiece, source.remaining());
      sequence = add(position, n, source.slice(source.position(), n));
      source.position(source.position() + n);
      position += n;
    } while (source.hasRemaining());
    return sequence;
  }

  /** SYNC batches stay below the broker's large-message size (see SYNC_BATCH_BYTES). */
  private int batchBytes() {
    RemoteCopySettings settings = group.settings();
    return transferType == TransferType.SYNC
        ? Math.min(settings.maxBatchBytes(), RemoteCopySettings.SYNC_BATCH_BYTES)
        : settings.maxBatchBytes();
  }

  private long add(long offset, long length, ByteBuffer data) {
    int entryBytes = BatchFormat.entryBytes(length, data == null);
    long sequence = openBatch(entryBytes).add(offset, length, data);
    lastAssigned = sequence;
    uncommittedBytes += entryBytes;
    assignedBytes += length;
    return sequence;
  }

  /** The open batch, with room for an entry of {@code entryBytes}. */
  private OutgoingBatch openBatch(int entryBytes) {
    // The limit is on payload: a batch's body may exceed it by one entry header.
    int maxBody = batchBytes() + BatchFormat.ENTRY_HEADER_BYTES;
    if (open != null && !open.fits(entryBytes, maxBody)) {
      closeOpen();
    }
    if (open == null) {
      open =
          new OutgoingBatch(
              stream, lastAssigned + 1, transferType == TransferType.SYNC, maxBody, group.bodies());
      open.lastWrite = lastWrite;
    }
    return open;
  }

  /**
   * Queues a marker (an empty write) behind everything queued so far, in a batch that asks the
   * secondary to checkpoint at once: whoever waits for the marker to be durable waits for the
   * delivery and one checkpoint, not for the secondary's checkpoint interval.
   */
  long marker() {
    long sequence = add(0, 0, null);
    open.checkpoint = true;
    return sequence;
  }

  void closeOpen() {
    if (open != null && !open.isEmpty()) {
      open.resyncing = state != State.IN_SYNC;
      ready.add(open);
      byteMarks.add(new long[] {open.last, assignedBytes});
    }
    open = null;
  }

  // ---- the send process's side ----

  /** Whether the sender has something to do for it now. */
  boolean wantsShipping() {
    return !ready.isEmpty() || !holdsOpenBatch();
  }

  /**
   * Whether its open batch keeps gathering writes rather than going out now: SYNC group commit (see
   * {@link #SYNC_BATCHES_IN_FLIGHT}). Only in sync (a resync goes at the broker's pace) and never
   * for a batch someone waits on to checkpoint. A batch that fills up is closed and shipped
   * regardless.
   */
  boolean holdsOpenBatch() {
    return open != null
        && open.retained
        && !open.checkpoint
        && state == State.IN_SYNC
        && unappliedSyncBatches.size() >= SYNC_BATCHES_IN_FLIGHT;
  }

  /**
   * Closes the open batch unless group commit holds it, and takes closed batches for shipping,
   * oldest first, of the SYNC lane ({@code lane}) or the write data queue. Its batches go in order,
   * so taking stops at the first that belongs to the other kind; returns whether it did.
   */
  boolean take(List<Shipment> into, int max, boolean lane) {
    if (!holdsOpenBatch()) {
      closeOpen();
    }
    while (!ready.isEmpty() && into.size() < max) {
      OutgoingBatch batch = ready.peek();
      boolean takesLane = takesLane(batch);
      if (takesLane != lane) {
        return true;
      }
      ready.poll();
      if (batch.retained) {
        unappliedSyncBatches.add(batch.last);
      }
      if (!takesLane && batch.stream.equals(stream)) {
        lastViaDataQueue = Math.max(lastViaDataQueue, batch.last);
      }
      into.add(new Shipment(group.groupId(), storageSystem, this, batch));
    }
    return false;
  }

  /**
   * A SYNC batch takes the lane once the secondary has applied every batch of its stream sent
   * through the write data queue, where a stream starts behind whatever was sent before it (see
   * Queues).
   */
  private boolean takesLane(OutgoingBatch batch) {
    return batch.retained
        && batch.stream.equals(stream)
        && applied > 0
        && applied >= lastViaDataQueue;
  }

  boolean laneReady() {
    return !ready.isEmpty() && takesLane(ready.peek());
  }

  boolean hasUnshipped() {
    return !ready.isEmpty() || (open != null && !open.isEmpty());
  }

  /** Nothing of it is waiting to be shipped or safe (the pooled bodies may go). */
  boolean idle() {
    return uncommittedBytes <= 0 && open == null && ready.isEmpty();
  }

  /** The broker has {@code batch}; returns whether it was the out-of-date notice. */
  boolean committed(OutgoingBatch batch) {
    boolean notice = batch == outOfDateNotice;
    if (notice) {
      outOfDateNotice = null;
    }
    if (batch.retained) {
      // Only in the broker's memory: safe once the secondary reports it durable, which it may
      // have done already (its acknowledgement can overtake this call).
      retained.add(batch);
      releaseDurable();
      return notice;
    }
    uncommittedBytes -= batch.sizeBytes();
    batch.release();
    if (batch.stream.equals(stream)) {
      committed = Math.max(committed, batch.last);
    }
    return notice;
  }

  /** The batch may not have reached the broker: it goes out again first. */
  void returned(OutgoingBatch batch) {
    ready.addFirst(batch);
  }

  /** The broker may have lost the retained batches: they go out again first. */
  void resendRetained() {
    while (!retained.isEmpty()) {
      ready.addFirst(retained.pollLast());
    }
    unappliedSyncBatches.clear(); // they are counted again as they go out again
  }

  boolean hasRetained() {
    return !retained.isEmpty();
  }

  /** Forgets the retained batches (their ranges are in the out-of-sync map). */
  void dropRetained() {
    for (OutgoingBatch b : retained) {
      uncommittedBytes -= b.sizeBytes();
      b.discard();
    }
    retained.clear();
  }

  /** Retained batches the secondary has on disk are safe: they count as committed now. */
  private void releaseDurable() {
    while (!retained.isEmpty()
        && retained.peek().stream.equals(stream)
        && retained.peek().last <= durable) {
      OutgoingBatch b = retained.poll();
      uncommittedBytes -= b.sizeBytes();
      b.release();
      committed = Math.max(committed, b.last);
    }
  }

  /** Whether its backlog not yet safe is over the bound (see GroupStream's back-pressure). */
  boolean overBacklog() {
    return streaming() && uncommittedBytes > group.settings().maxBacklogBytes();
  }

  // ---- acknowledgements (Fig. 11 step 1105) ----

  /** The SYNC writes an acknowledgement (of any stream of it) completes go into {@code done}. */
  void releaseWaitersUpTo(BatchFormat.Ack ack, List<SyncWrite> done) {
    while (!waiters.isEmpty()
        && waiters.peek().stream().equals(ack.stream())
        && waiters.peek().sequence() <= ack.applied()) {
      SyncWrite w = waiters.poll().write();
      if (w.arrive()) {
        done.add(w);
      }
    }
  }

  /**
   * Moves it forward by an acknowledgement of its current stream. Returns whether group commit held
   * its open batch back before (see {@link #holdsOpenBatch}); the caller moves its state on ({@link
   * #advance}) once the FLUSHes this completes are done.
   */
  boolean acknowledged(BatchFormat.Ack ack, long now) {
    if (verification != null) {
      verified(ack);
    }
    if (ack.applied() > applied) {
      applied = ack.applied();
      while (!byteMarks.isEmpty() && byteMarks.peek()[0] <= applied) {
        appliedBytes = byteMarks.poll()[1];
      }
      if (applied >= lastAssigned) {
        appliedBytes = assignedBytes;
      }
      owingSinceNanos = applied >= lastAssigned ? 0 : now;
      sampleRate(now);
    }
    boolean held = holdsOpenBatch();
    while (!unappliedSyncBatches.isEmpty() && unappliedSyncBatches.peek() <= applied) {
      unappliedSyncBatches.poll();
    }
    durable = Math.max(durable, ack.durable());
    releaseDurable();
    return held;
  }

  private void sampleRate(long now) {
    if (rateSampleNanos == 0) {
      rateSampleNanos = now;
      rateSampleBytes = appliedBytes;
      return;
    }
    long elapsed = now - rateSampleNanos;
    if (elapsed >= TimeUnit.MILLISECONDS.toNanos(200)) {
      double sample = (appliedBytes - rateSampleBytes) * 1e9 / elapsed;
      rate = rate == 0 ? sample : 0.7 * rate + 0.3 * sample;
      rateSampleNanos = now;
      rateSampleBytes = appliedBytes;
    }
  }

  /** Whether the oldest SYNC write waiting for it has waited past its deadline. */
  boolean waiterOverdue(long now) {
    SyncWrite.Waiter head = waiters.peek();
    return head != null && now - head.deadlineNanos() > 0;
  }

  /** Fails every SYNC write waiting for it (the group's policy fails writes). */
  void failWaiters(StorageException e) {
    while (!waiters.isEmpty()) {
      waiters.poll().write().fail(e);
    }
  }

  /** Lets every SYNC write waiting for it go on without it. */
  void releaseAllWaiters() {
    while (!waiters.isEmpty()) {
      waiters.poll().write().arrived();
    }
  }

  /** Hands over the SYNC writes that waited for it, to wait for something else. */
  List<SyncWrite> takeWaiters() {
    List<SyncWrite> writes = new ArrayList<>(waiters.size());
    while (!waiters.isEmpty()) {
      writes.add(waiters.poll().write());
    }
    return writes;
  }

  /**
   * Whether it has it: committed (or, {@code untilDurable}, on its disk) up to {@code sequence}.
   */
  boolean has(StreamKey inStream, long sequence, boolean untilDurable) {
    return !streaming() && outOfDateNotice == null
        || (untilDurable ? durable >= sequence : committed >= sequence)
        || !stream.equals(inStream) && !untilDurable;
  }

  /**
   * Whether a FLUSH ({@code untilDurable}: the activity log's cooling) waits for it: taking the
   * stream, it lacks what was queued; out of sync, it owes nothing but its out-of-date notice.
   */
  boolean owes(boolean untilDurable) {
    return streaming()
        ? (untilDurable ? durable : committed) < lastAssigned
        : outOfDateNotice != null;
  }

  /** Whether it has every write up to {@code target} on its disk, in sync. */
  boolean synchronizedTo(long target) {
    return state == State.IN_SYNC && durable >= Math.min(target, lastAssigned);
  }

  String describe(long target) {
    return storageSystem
        + " has "
        + Math.min(durable, target)
        + " of "
        + target
        + " writes on disk ("
        + state
        + (state == State.IN_SYNC
            ? ", " + lagBytes() + " bytes to go"
            : ", "
                + (resyncTotal > 0 ? Integer.toString(resyncTotal) : "some")
                + " region(s) to resync")
        + ")";
  }

  // ---- in sync, out of sync, resyncing ----

  /** Moves it between out of sync, resyncing and in sync when it has earned it. */
  void advance() {
    OutOfSyncMap outOfSync = group.outOfSync();
    if (state == State.OUT_OF_SYNC && applied >= lastAssigned) {
      // It has applied everything sent before it went out of sync: it is back.
      startResync("answers again");
    }
    if (state == State.RESYNCING
        && outOfSync.count(storageSystem) == 0
        && applied >= resyncLastSequence) {
      state = State.IN_SYNC;
      resyncCopied.clear();
      outOfSync.forget(storageSystem);
      saveOutOfSyncMap();
      // A batch closed in sync tells the secondary its copy is whole again (its data generation),
      // even if no write comes for a while.
      marker();
      LOG.info(() -> "copy group " + group.groupId() + ": " + storageSystem + " is in sync again");
    }
  }

  /** Copies the marked regions to it, behind what is queued. */
  private void startResync(String why) {
    state = State.RESYNCING;
    resyncTotal = group.outOfSync().count(storageSystem);
    resyncCursor = 0;
    resyncLastSequence = lastAssigned;
    owingSinceNanos = System.nanoTime();
    LOG.info(
        () ->
            "copy group "
                + group.groupId()
                + ": "
                + storageSystem
                + " "
                + why
                + ", resynchronising "
                + resyncTotal
                + " region(s)");
  }

  /** Whether its resync has heard nothing from it for {@code silenceNanos}. */
  boolean resyncSilent(long now, long silenceNanos) {
    return state == State.RESYNCING && owingSinceNanos != 0 && now - owingSinceNanos > silenceNanos;
  }

  /** Copies its next marked regions into the stream, while the batches in flight are few. */
  void copyRegions(ReplicaVolume volume) {
    if (state != State.RESYNCING) {
      return;
    }
    OutOfSyncMap outOfSync = group.outOfSync();
    long window = 16L * group.settings().maxBatchBytes();
    while (uncommittedBytes < window) {
      int region = outOfSync.next(storageSystem, resyncCursor);
      if (region < 0 && resyncCursor > 0) {
        resyncCursor = 0;
        region = outOfSync.next(storageSystem, 0);
      }
      if (region < 0) {
        return;
      }
      long offset = (long) region * OutOfSyncMap.REGION_BYTES;
      int length = (int) Math.min(OutOfSyncMap.REGION_BYTES, volume.sizeBytes() - offset);
      outOfSync.clear(storageSystem, region);
      resyncCopied.set(region);
      resyncCursor = region + 1;
      if (length <= 0) {
        continue;
      }
      ByteBuffer data = ByteBuffer.allocate(length);
      // Under the lock: a write to this region either is in what we read, or comes after it in
      // the stream, so the secondary ends with the newest bytes either way.
      volume.read(offset, data);
      data.flip();
      resyncLastSequence = assign(lastWrite, offset, length, data);
      if (owingSinceNanos == 0) {
        owingSinceNanos = System.nanoTime();
      }
    }
  }

  /**
   * Marks it out of sync: whatever was queued for it and is not safely in the broker goes into the
   * out-of-sync map, and it is told it is out of date. Returns false if it was out of sync already.
   * The SYNC writes waiting for it are the group's to move on (see {@link #takeWaiters}).
   */
  boolean goOutOfSync(String why) {
    if (state == State.OUT_OF_SYNC) {
      return false;
    }
    state = State.OUT_OF_SYNC;
    interruptVerify("it went out of sync: " + why);
    OutOfSyncMap outOfSync = group.outOfSync();
    outOfSync.track(storageSystem); // from now on, even before any region is written
    OutgoingBatch.RangeConsumer mark =
        (offset, length) -> outOfSync.mark(storageSystem, offset, length);
    // Batches not yet in the broker might never get there: their regions are resent by the resync.
    for (OutgoingBatch b : retained) {
      b.forEachRange(mark); // in the broker's memory only; a broker restart would lose them
    }
    for (OutgoingBatch b : ready) {
      b.forEachRange(mark);
    }
    if (open != null) {
      open.forEachRange(mark);
    }
    saveOutOfSyncMap();
    queueOutOfDateNotice();
    LOG.warning(
        "copy group "
            + group.groupId()
            + ": secondary "
            + storageSystem
            + " is out of sync ("
            + why
            + "); writes go on without it and are resynchronised when it answers");
    return true;
  }

  /**
   * Tells it it is out of date, before any write it misses is acknowledged: should the primary die
   * next, its data generation then says it may lack writes ({@code resyncing}), and a takeover does
   * not take it for a whole copy. Otherwise it would show the last write it got as complete while
   * the primary went on acknowledging writes without it, and a forced takeover to it would lose
   * them silently. The notice is a marker in a persistent batch of its stream (in the broker's
   * journal, which outlives the primary), flagged as sent out of sync and to be checkpointed at
   * once; it stays until the secondary answers and is resynced, whose last batch says in sync
   * again. The group acknowledges SYNC writes only once the broker has it (see GroupStream).
   */
  private void queueOutOfDateNotice() {
    closeOpen();
    int maxBody = batchBytes() + BatchFormat.ENTRY_HEADER_BYTES;
    open = new OutgoingBatch(stream, lastAssigned + 1, false, maxBody, group.bodies());
    open.lastWrite = lastWrite;
    add(0, 0, null);
    open.checkpoint = true;
    outOfDateNotice = open;
    closeOpen(); // flagged resyncing: the secondary is out of sync now
  }

  boolean noticeOnItsWay() {
    return outOfDateNotice != null;
  }

  /** No longer waited for: the notice still goes out when the broker takes it. */
  void forgetNotice() {
    outOfDateNotice = null;
  }

  /** It was marked out of sync while resyncing: what its resync sent may not have reached it. */
  boolean resyncing() {
    return state == State.RESYNCING;
  }

  /** The regions its resync copied that it may not have applied yet. */
  BitSet resyncCopied() {
    return resyncCopied;
  }

  /**
   * It went out of sync before applying what was sent to it: those batches are in the broker's
   * journal, no longer here, and where they write is not kept.
   */
  boolean missesUnknownRegions() {
    return state == State.OUT_OF_SYNC && applied < lastAssigned;
  }

  private void saveOutOfSyncMap() {
    try {
      group.outOfSync().save();
    } catch (IOException e) {
      LOG.log(
          Level.SEVERE, "cannot save the out-of-sync regions of copy group " + group.groupId(), e);
    }
  }

  // ---- online verify ----

  /**
   * Refuses, changing nothing, a verify of it while not in sync: what it lacks is known already.
   */
  void checkVerifiable() {
    if (state != State.IN_SYNC) {
      throw new StorageException(
          Reason.INVALID_ARGUMENT,
          storageSystem
              + " is "
              + state
              + " in copy group "
              + group.groupId()
              + ": it needs its resync, not a verify; verify it once it is in sync");
    }
  }

  /** Starts a verify of it, unless one runs already. */
  void startVerify(long volumeBytes, long bytesPerSecond, boolean repair) {
    if (verification != null) {
      return;
    }
    verification = new Verification(volumeBytes, bytesPerSecond, repair);
    LOG.info(
        () ->
            "copy group "
                + group.groupId()
                + ": verifying "
                + storageSystem
                + " ("
                + volumeBytes
                + " bytes at up to "
                + (bytesPerSecond >> 20)
                + " MiB/s"
                + (repair ? ", repairing differences" : "")
                + ")");
  }

  /** The verify running for it, taking the stream; null if none. */
  Verification runningVerify() {
    return streaming() ? verification : null;
  }

  /** Puts a verify entry for {@code region} into its stream (with the volume at a stream point). */
  void askVerify(Verification asking, int region, long offset, int length) {
    long sequence = openBatch(BatchFormat.ENTRY_HEADER_BYTES).addVerify(offset, length);
    lastAssigned = sequence;
    uncommittedBytes += BatchFormat.ENTRY_HEADER_BYTES;
    asking.asked(region, sequence);
  }

  /** An acknowledgement's digests, with the verify running. */
  private void verified(BatchFormat.Ack ack) {
    Verification v = verification;
    for (RegionDigest r : ack.digests()) {
      v.secondaryDigest(r.offset(), r.digest());
    }
    v.answeredUpTo(ack.applied());
    finishVerifyIfDone();
  }

  /** The primary's digest of a region its verify asked. */
  void primaryDigest(long offset, byte[] digest) {
    verification.primaryDigest(offset, digest);
    finishVerifyIfDone();
  }

  private void finishVerifyIfDone() {
    Verification v = verification;
    if (v == null || !v.done()) {
      return;
    }
    verification = null;
    BitSet differing = v.differing();
    VerifyStatus result =
        v.status(differing.isEmpty() ? Outcome.NO_DIFFERENCE : Outcome.DIFFERENCES, null);
    recordVerify(result, v.repair ? new BitSet() : differing);
    String summary =
        "copy group "
            + group.groupId()
            + ": verify of "
            + storageSystem
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
    if (v.repair && streaming()) {
      for (int r = differing.nextSetBit(0); r >= 0; r = differing.nextSetBit(r + 1)) {
        group.outOfSync().mark(storageSystem, v.offsetOf(r), Verification.REGION_BYTES);
      }
      saveOutOfSyncMap();
      startResync("differs from the primary (verify)");
    }
  }

  void interruptVerify(String why) {
    Verification v = verification;
    if (v == null) {
      return;
    }
    verification = null;
    recordVerify(v.status(Outcome.INTERRUPTED, why), new BitSet());
    LOG.warning(
        "copy group " + group.groupId() + ": verify of " + storageSystem + " stopped: " + why);
  }

  private void recordVerify(VerifyStatus result, BitSet unrepaired) {
    try {
      group.verifyRecords().finished(storageSystem, result, unrepaired);
    } catch (IOException e) {
      LOG.log(Level.SEVERE, "cannot save the verify of copy group " + group.groupId(), e);
    }
  }

  // ---- status ----

  SecondaryStatus status() {
    long lag = lagBytes();
    State shown = state == State.IN_SYNC && lagWrites() > 0 ? State.LAGGING : state;
    double seconds = lag == 0 ? 0 : rate > 0 ? lag / rate : -1;
    int regions = group.outOfSync().count(storageSystem);
    int unrepaired = group.verifyRecords().unrepaired(storageSystem).cardinality();
    if (unrepaired > 0 && streaming()) {
      shown = State.OUT_OF_SYNC; // a verify found differences that nothing repaired yet
      regions += unrepaired;
    }
    int percent =
        switch (shown) {
          case OUT_OF_SYNC -> 0;
          case RESYNCING ->
              resyncTotal == 0 ? 100 : (int) (100L * (resyncTotal - regions) / resyncTotal);
          default -> 100;
        };
    return new SecondaryStatus(
        storageSystem,
        shown,
        lagWrites(),
        lag,
        seconds,
        (long) regions * OutOfSyncMap.REGION_BYTES,
        percent,
        verification != null
            ? verification.status(Outcome.RUNNING, null)
            : group.verifyRecords().last(storageSystem));
  }
}
