package org.roamstore.storage.replication.send;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.replication.RemoteCopySettings;
import org.roamstore.storage.replication.batch.BatchFormat;
import org.roamstore.storage.replication.batch.StreamKey;

/**
 * The writes queued for one secondary: numbered 1, 2, 3, ... in its stream (epoch, incarnation),
 * cut into batches, and held until they are safe (in the broker's journal, or for SYNC on the
 * secondary's disk); how far the secondary has them. Its {@link SecondaryLink} decides what goes in
 * and what its answers mean. Called with the group's lock held.
 */
final class SecondaryStream {
  // SYNC: while this many batches await the secondary's acknowledgement, new writes gather in the
  // open batch instead of travelling in batches of their own. Each batch costs two messages (data,
  // acknowledgement), each crossing three processes and several threads: shipped at once, the
  // writes of a 16-deep queue travelled about six to a batch and the CPUs went to the hops. Two
  // keep a round trip's worth of writes in flight while the next batch fills.
  static final int SYNC_BATCHES_IN_FLIGHT = 2;

  private final RemoteCopySettings settings;
  private final BodyPool bodies;
  // Whether the secondary is in sync now (its link's state): batches closed otherwise say so, and
  // group commit holds batches only for one in sync.
  private final BooleanSupplier inSync;
  private StreamKey key;
  private TransferType transferType;
  private long lastAssigned; // the last sequence handed a write in the current stream
  // The last sequence in the broker's journal (SYNC: on the secondary's disk).
  private long committed;
  private long applied; // the last sequence the secondary has in its cache
  private long durable; // the last sequence on the secondary's disk
  // The primary's number (WriteData.sequence) of the last write put into this stream whole: the
  // same for every secondary taking the stream, unlike the sequences.
  private long lastWrite;

  private OutgoingBatch open;
  private final ArrayDeque<OutgoingBatch> ready = new ArrayDeque<>();
  private long
      uncommittedBytes; // of batches not yet safe: not in the broker's journal, or retained
  // SYNC batches the broker has (not persistently) and the secondary has not reported durable.
  private final ArrayDeque<OutgoingBatch> retained = new ArrayDeque<>();
  // SYNC: the last sequence of each batch taken for shipping that the secondary has not yet
  // acknowledged as applied, oldest first (see holdsOpenBatch).
  private final ArrayDeque<Long> unappliedSyncBatches = new ArrayDeque<>();
  // SYNC: the last sequence of the current stream shipped through the write data queue; once the
  // secondary has applied it, the stream's batches go through its SYNC queue (see Queues).
  private long lastViaDataQueue;

  private final ByteLag lag = new ByteLag();

  // The notice that tells the secondary it is out of date (see queueNotice), until the broker has
  // it in its journal; null if none is on its way.
  private OutgoingBatch outOfDateNotice;

  SecondaryStream(
      StreamKey key,
      TransferType transferType,
      RemoteCopySettings settings,
      BodyPool bodies,
      BooleanSupplier inSync) {
    this.key = key;
    this.transferType = transferType;
    this.settings = settings;
    this.bodies = bodies;
    this.inSync = inSync;
  }

  /** A new stream (new epoch): numbering starts again from 1. */
  void restart(StreamKey newKey, TransferType newTransferType) {
    key = newKey;
    transferType = newTransferType;
    lastAssigned = 0;
    committed = 0;
    applied = 0;
    durable = 0;
    lag.restart();
    unappliedSyncBatches.clear();
    lastViaDataQueue = 0;
  }

  StreamKey key() {
    return key;
  }

  long lastAssigned() {
    return lastAssigned;
  }

  long applied() {
    return applied;
  }

  long durable() {
    return durable;
  }

  long lastWrite() {
    return lastWrite;
  }

  long appliedBytes() {
    return lag.appliedBytes();
  }

  long uncommittedBytes() {
    return uncommittedBytes;
  }

  long lagWrites() {
    return Math.max(0, lastAssigned - applied);
  }

  long lagBytes() {
    return lag.lagBytes();
  }

  // ---- numbering ----

  /**
   * Numbers a write, cutting it into entries that fit a batch; {@code writeNumber} is the primary's
   * number of the write (a resync's copy keeps the last one). Returns its last sequence.
   */
  long assign(long writeNumber, long offset, long length, ByteBuffer data) {
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
    return transferType == TransferType.SYNC
        ? Math.min(settings.maxBatchBytes(), RemoteCopySettings.SYNC_BATCH_BYTES)
        : settings.maxBatchBytes();
  }

  private long add(long offset, long length, ByteBuffer data) {
    int entryBytes = BatchFormat.entryBytes(length, data == null);
    long sequence = openBatch(entryBytes).add(offset, length, data);
    lastAssigned = sequence;
    uncommittedBytes += entryBytes;
    lag.assigned(length);
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
              key, lastAssigned + 1, transferType == TransferType.SYNC, maxBody, bodies);
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

  /** Puts a verify entry into the stream; returns its sequence. */
  long verifyEntry(long offset, long length) {
    long sequence = openBatch(BatchFormat.ENTRY_HEADER_BYTES).addVerify(offset, length);
    lastAssigned = sequence;
    uncommittedBytes += BatchFormat.ENTRY_HEADER_BYTES;
    return sequence;
  }

  /** Closes the open batch, flagged {@code resyncing} if the secondary is not in sync now. */
  void closeOpen() {
    if (open != null && !open.isEmpty()) {
      open.resyncing = !inSync.getAsBoolean();
      ready.add(open);
      lag.closed(open.last);
    }
    open = null;
  }

  /**
   * Queues the out-of-date notice: a marker in a persistent batch of its own (in the broker's
   * journal, which outlives the primary), flagged as sent out of sync, to be checkpointed at once.
   */
  void queueNotice() {
    closeOpen();
    int maxBody = batchBytes() + BatchFormat.ENTRY_HEADER_BYTES;
    open = new OutgoingBatch(key, lastAssigned + 1, false, maxBody, bodies);
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

  /** Calls {@code range} with every range queued and not yet safely in the broker. */
  void forEachUnsafeRange(OutgoingBatch.RangeConsumer range) {
    for (OutgoingBatch b : retained) {
      b.forEachRange(range); // in the broker's memory only; a broker restart would lose them
    }
    for (OutgoingBatch b : ready) {
      b.forEachRange(range);
    }
    if (open != null) {
      open.forEachRange(range);
    }
  }

  // ---- shipping ----

  /**
   * Whether the open batch keeps gathering writes rather than going out now: SYNC group commit (see
   * {@link #SYNC_BATCHES_IN_FLIGHT}). Only while the secondary is in sync (a resync goes at the
   * broker's pace) and never for a batch someone waits on to checkpoint. A batch that fills up is
   * closed and shipped regardless.
   */
  boolean holdsOpenBatch() {
    return mayHoldOpenBatch() && unappliedSyncBatches.size() >= SYNC_BATCHES_IN_FLIGHT;
  }

  /**
   * Whether its open batch is one group commit may hold: while one secondary in sync holds its own,
   * every one holds (see {@link BatchShipping#take}).
   */
  private boolean mayHoldOpenBatch() {
    return open != null && open.retained && !open.checkpoint && inSync.getAsBoolean();
  }

  /** Whether the sender has something to do for it now, {@code groupHolds} or not. */
  boolean wantsShipping(boolean groupHolds) {
    return !ready.isEmpty()
        || open != null && !open.isEmpty() && !(groupHolds && mayHoldOpenBatch());
  }

  /** Closes the open batch unless group commit holds it ({@code groupHolds}, see above). */
  void closeUnlessHeld(boolean groupHolds) {
    if (!(groupHolds && mayHoldOpenBatch())) {
      closeOpen();
    }
  }

  /**
   * Takes up to {@code max} closed batches for shipping (with what {@code into} has), oldest first,
   * of the SYNC lane ({@code lane}) or the write data queue, as {@code link}'s. The batches go in
   * order, so taking stops at the first that belongs to the other kind; returns whether it did.
   */
  boolean take(List<Shipment> into, int max, boolean lane, String groupId, SecondaryLink link) {
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
      if (!takesLane && batch.stream.equals(key)) {
        lastViaDataQueue = Math.max(lastViaDataQueue, batch.last);
      }
      into.add(new Shipment(groupId, link.storageSystem, link, batch));
    }
    return false;
  }

  /**
   * A SYNC batch takes the lane once the secondary has applied every batch of its stream sent
   * through the write data queue, where a stream starts behind whatever was sent before it (see
   * Queues).
   */
  private boolean takesLane(OutgoingBatch batch) {
    return batch.retained && batch.stream.equals(key) && applied > 0 && applied >= lastViaDataQueue;
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
    if (batch.stream.equals(key)) {
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
        && retained.peek().stream.equals(key)
        && retained.peek().last <= durable) {
      OutgoingBatch b = retained.poll();
      uncommittedBytes -= b.sizeBytes();
      b.release();
      committed = Math.max(committed, b.last);
    }
  }

  /** Whether the backlog not yet safe is over the bound (see {@link Backpressure}). */
  boolean overBacklog() {
    return uncommittedBytes > settings.maxBacklogBytes();
  }

  // ---- the secondary's answers ----

  /**
   * The secondary has up to {@code ackApplied} of this stream in its cache and up to {@code
   * ackDurable} on its disk. Returns whether group commit held the open batch back before (see
   * {@link #holdsOpenBatch}).
   */
  boolean acknowledged(long ackApplied, long ackDurable) {
    if (ackApplied > applied) {
      applied = ackApplied;
      lag.applied(applied, lastAssigned);
    }
    boolean held = holdsOpenBatch();
    while (!unappliedSyncBatches.isEmpty() && unappliedSyncBatches.peek() <= applied) {
      unappliedSyncBatches.poll();
    }
    durable = Math.max(durable, ackDurable);
    releaseDurable();
    return held;
  }

  /**
   * Whether the secondary has {@code sequence} of {@code inStream}: committed, or {@code
   * untilDurable} on its disk; a FLUSH of an older stream has nothing more to wait for.
   */
  boolean has(StreamKey inStream, long sequence, boolean untilDurable) {
    return (untilDurable ? durable >= sequence : committed >= sequence)
        || !key.equals(inStream) && !untilDurable;
  }

  /** Whether it lacks, committed (or {@code untilDurable} on disk), something queued. */
  boolean lacks(boolean untilDurable) {
    return (untilDurable ? durable : committed) < lastAssigned;
  }

  /** Whether every write up to {@code target} is on the secondary's disk. */
  boolean durableTo(long target) {
    return durable >= Math.min(target, lastAssigned);
  }
}
