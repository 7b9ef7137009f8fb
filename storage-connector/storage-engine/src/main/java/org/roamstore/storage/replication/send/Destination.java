package org.roamstore.storage.replication.send;

import java.util.ArrayDeque;
import java.util.BitSet;
import org.roamstore.storage.api.CopyGroupStatus.State;
import org.roamstore.storage.replication.batch.StreamKey;

/**
 * One secondary of one copy group as its primary tracks it: the stream of writes numbered for it,
 * the batches not yet safely in the broker, how far it has acknowledged, and whether it is in sync.
 * Every field is guarded by the owning {@link GroupStream}'s lock.
 */
final class Destination {
  final String storageSystem;
  StreamKey stream;
  long lastAssigned; // the last sequence handed a write in the current stream
  long committed; // the last sequence in the broker's journal (SYNC: on the secondary's disk)
  long applied; // the last sequence the secondary has in its cache
  long durable; // the last sequence on the secondary's disk
  // The primary's number (WriteData.sequence) of the last write put into this stream whole: the
  // same for every secondary taking the stream, unlike the sequences.
  long lastWrite;
  State state = State.IN_SYNC; // IN_SYNC, OUT_OF_SYNC or RESYNCING; LAGGING is derived

  OutgoingBatch open;
  final ArrayDeque<OutgoingBatch> ready = new ArrayDeque<>();
  long uncommittedBytes; // of batches not yet safe: not in the broker's journal, or retained
  // SYNC batches the broker has (not persistently) and the secondary has not reported durable.
  final ArrayDeque<OutgoingBatch> retained = new ArrayDeque<>();
  final ArrayDeque<SyncWrite.Waiter> waiters = new ArrayDeque<>();
  // SYNC: the last sequence of each batch taken for shipping that the secondary has not yet
  // acknowledged as applied, oldest first (see GroupStream.holdsOpenBatch).
  final ArrayDeque<Long> unappliedSyncBatches = new ArrayDeque<>();
  // SYNC: the last sequence of the current stream shipped through the write data queue; once the
  // secondary has applied it, the stream's batches go through its SYNC queue (see Queues).
  long lastViaDataQueue;

  // Lag in bytes: cumulative payload assigned, and per unacknowledged batch its cumulative mark.
  long assignedBytes;
  long appliedBytes;
  final ArrayDeque<long[]> byteMarks = new ArrayDeque<>(); // {lastSequence, assignedBytes}

  // Since when the secondary owes an acknowledgement (0: it owes none).
  long owingSinceNanos;
  // Catch-up rate, bytes per second, smoothed.
  double rate;
  long rateSampleNanos;
  long rateSampleBytes;

  // Resync: the sequence of the last copied region, and the region count at its start.
  long resyncLastSequence;
  int resyncTotal;
  int resyncCursor;
  // Regions (OutOfSyncMap.REGION_BYTES) the resync has copied into the stream, no longer marked in
  // the map: until the secondary is in sync again they may still be on their way to it.
  final BitSet resyncCopied = new BitSet();

  // The notice that tells it it is out of date (see GroupStream.queueOutOfDateNotice), until the
  // broker has it in its journal; null if none is on its way.
  OutgoingBatch outOfDateNotice;

  // The online verify running for it; null if none.
  Verification verification;

  Destination(String storageSystem, StreamKey stream) {
    this.storageSystem = storageSystem;
    this.stream = stream;
  }

  /** A new stream (new epoch): numbering starts again from 1. */
  void restart(StreamKey newStream) {
    stream = newStream;
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

  boolean streaming() {
    return state != State.OUT_OF_SYNC;
  }

  long lagWrites() {
    return Math.max(0, lastAssigned - applied);
  }

  long lagBytes() {
    return Math.max(0, assignedBytes - appliedBytes);
  }
}
