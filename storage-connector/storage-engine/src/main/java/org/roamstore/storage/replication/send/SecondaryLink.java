package org.roamstore.storage.replication.send;

import java.io.IOException;
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
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.replication.RemoteCopySettings;
import org.roamstore.storage.replication.ReplicaVolume;
import org.roamstore.storage.replication.WriteData;
import org.roamstore.storage.replication.batch.BatchFormat;
import org.roamstore.storage.replication.batch.StreamKey;

/**
 * One secondary of one copy group as its primary keeps it: its state (in sync, lagging, out of
 * sync, resyncing, and a verify running or not), with every move between those states in this
 * class, and the writes queued for it ({@link SecondaryStream}), its resync's copying ({@link
 * ResyncCopy}) and its verify ({@link SecondaryVerify}). Called with the owning {@link
 * GroupStream}'s lock held; what concerns the whole group (the writes waiting on several
 * secondaries, FLUSHes, the group's policy) stays there.
 */
final class SecondaryLink {
  private static final Logger LOG = Logger.getLogger(SecondaryLink.class.getName());

  /** What the secondaries of one group share. */
  record Group(
      String groupId,
      RemoteCopySettings settings,
      OutOfSyncMap outOfSync,
      VerifyRecords verifyRecords,
      BodyPool bodies) {}

  final String storageSystem;
  private final Group group;
  private State state = State.IN_SYNC; // IN_SYNC, OUT_OF_SYNC or RESYNCING; LAGGING is derived
  private final SecondaryStream out;
  private final ArrayDeque<SyncWrite.Waiter> waiters = new ArrayDeque<>();

  // Since when the secondary owes an acknowledgement (0: it owes none).
  private long owingSinceNanos;
  // Catch-up rate, bytes per second, smoothed.
  private double rate;
  private long rateSampleNanos;
  private long rateSampleBytes;

  private final ResyncCopy resync;
  private final SecondaryVerify verify;

  SecondaryLink(String storageSystem, StreamKey stream, TransferType transferType, Group group) {
    this.storageSystem = storageSystem;
    this.group = group;
    this.out =
        new SecondaryStream(
            stream, transferType, group.settings(), group.bodies(), () -> state == State.IN_SYNC);
    this.resync = new ResyncCopy(storageSystem, group, out);
    this.verify = new SecondaryVerify(this, group);
    if (group.outOfSync().tracks(storageSystem)) {
      state = State.OUT_OF_SYNC; // known from before a restart of this unit
    }
  }

  /** A new stream (new epoch): numbering starts again from 1. */
  void restart(StreamKey newStream, TransferType newTransferType) {
    out.restart(newStream, newTransferType);
    owingSinceNanos = 0;
    resync.restart();
  }

  /** The writes queued for it. */
  SecondaryStream out() {
    return out;
  }

  /** Its online verify. */
  SecondaryVerify verify() {
    return verify;
  }

  StreamKey stream() {
    return out.key();
  }

  State state() {
    return state;
  }

  boolean streaming() {
    return state != State.OUT_OF_SYNC;
  }

  // ---- the writes of its stream ----

  /** Queues a write for it, a secondary taking the stream; returns the write's last sequence. */
  long queue(WriteData write, long now) {
    long sequence = out.assign(write.sequence(), write.offset(), write.length(), write.data());
    if (owingSinceNanos == 0) {
      owingSinceNanos = now;
    }
    return sequence;
  }

  /** A SYNC write waits for this secondary to have {@code sequence} in its cache. */
  void awaitedBy(SyncWrite write, long sequence, long deadlineNanos) {
    write.waitFor();
    waiters.add(new SyncWrite.Waiter(out.key(), sequence, deadlineNanos, write));
  }

  /** A write it misses, out of sync: its range is resynced when it answers. */
  void missed(long offset, long length) {
    if (group.outOfSync().mark(storageSystem, offset, length)) {
      saveOutOfSyncMap();
    }
  }

  /** Whether its backlog not yet safe is over the bound (see {@link Backpressure}). */
  boolean overBacklog() {
    return streaming() && out.overBacklog();
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
    verify.acknowledged(ack);
    long before = out.applied();
    boolean held = out.acknowledged(ack.applied(), ack.durable());
    if (out.applied() > before) {
      owingSinceNanos = out.applied() >= out.lastAssigned() ? 0 : now;
      sampleRate(now);
    }
    return held;
  }

  private void sampleRate(long now) {
    if (rateSampleNanos == 0) {
      rateSampleNanos = now;
      rateSampleBytes = out.appliedBytes();
      return;
    }
    long elapsed = now - rateSampleNanos;
    if (elapsed >= TimeUnit.MILLISECONDS.toNanos(200)) {
      double sample = (out.appliedBytes() - rateSampleBytes) * 1e9 / elapsed;
      rate = rate == 0 ? sample : 0.7 * rate + 0.3 * sample;
      rateSampleNanos = now;
      rateSampleBytes = out.appliedBytes();
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
    return !streaming() && !out.noticeOnItsWay() || out.has(inStream, sequence, untilDurable);
  }

  /**
   * Whether a FLUSH ({@code untilDurable}: the activity log's cooling) waits for it: taking the
   * stream, it lacks what was queued; out of sync, it owes nothing but its out-of-date notice.
   */
  boolean owes(boolean untilDurable) {
    return streaming() ? out.lacks(untilDurable) : out.noticeOnItsWay();
  }

  /** Whether it has every write up to {@code target} on its disk, in sync. */
  boolean synchronizedTo(long target) {
    return state == State.IN_SYNC && out.durableTo(target);
  }

  String describe(long target) {
    return storageSystem
        + " has "
        + Math.min(out.durable(), target)
        + " of "
        + target
        + " writes on disk ("
        + state
        + (state == State.IN_SYNC
            ? ", " + out.lagBytes() + " bytes to go"
            : ", "
                + (resync.total() > 0 ? Integer.toString(resync.total()) : "some")
                + " region(s) to resync")
        + ")";
  }

  // ---- in sync, out of sync, resyncing ----

  /** Moves it between out of sync, resyncing and in sync when it has earned it. */
  void advance() {
    OutOfSyncMap outOfSync = group.outOfSync();
    if (state == State.OUT_OF_SYNC && out.applied() >= out.lastAssigned()) {
      // It has applied everything sent before it went out of sync: it is back.
      startResync("answers again");
    }
    if (state == State.RESYNCING && outOfSync.count(storageSystem) == 0 && resync.appliedAll()) {
      state = State.IN_SYNC;
      resync.finished();
      outOfSync.forget(storageSystem);
      saveOutOfSyncMap();
      // A batch closed in sync tells the secondary its copy is whole again (its data generation),
      // even if no write comes for a while.
      out.marker();
      LOG.info(() -> "copy group " + group.groupId() + ": " + storageSystem + " is in sync again");
    }
  }

  /** Copies the marked regions to it, behind what is queued. */
  private void startResync(String why) {
    state = State.RESYNCING;
    int total = resync.start();
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
                + total
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
    resync.copyRegions(
        volume,
        () -> {
          if (owingSinceNanos == 0) {
            owingSinceNanos = System.nanoTime();
          }
        });
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
    verify.interrupt("it went out of sync: " + why);
    OutOfSyncMap outOfSync = group.outOfSync();
    outOfSync.track(storageSystem); // from now on, even before any region is written
    OutgoingBatch.RangeConsumer mark =
        (offset, length) -> outOfSync.mark(storageSystem, offset, length);
    // Batches not yet in the broker might never get there: their regions are resent by the resync.
    out.forEachUnsafeRange(mark);
    saveOutOfSyncMap();
    // Told before any write it misses is acknowledged (see queueNotice's caller, the group).
    out.queueNotice();
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

  boolean noticeOnItsWay() {
    return out.noticeOnItsWay();
  }

  /** No longer waited for: the notice still goes out when the broker takes it. */
  void forgetNotice() {
    out.forgetNotice();
  }

  /** It was marked out of sync while resyncing: what its resync sent may not have reached it. */
  boolean resyncing() {
    return state == State.RESYNCING;
  }

  /** The regions its resync copied that it may not have applied yet. */
  BitSet resyncCopied() {
    return resync.copied();
  }

  /**
   * It went out of sync before applying what was sent to it: those batches are in the broker's
   * journal, no longer here, and where they write is not kept.
   */
  boolean missesUnknownRegions() {
    return state == State.OUT_OF_SYNC && out.applied() < out.lastAssigned();
  }

  private void saveOutOfSyncMap() {
    try {
      group.outOfSync().save();
    } catch (IOException e) {
      LOG.log(
          Level.SEVERE, "cannot save the out-of-sync regions of copy group " + group.groupId(), e);
    }
  }

  /** A verify that repairs found {@code differing}: those regions are resynced from here. */
  void resyncDiffering(Verification v, BitSet differing) {
    for (int r = differing.nextSetBit(0); r >= 0; r = differing.nextSetBit(r + 1)) {
      group.outOfSync().mark(storageSystem, v.offsetOf(r), Verification.REGION_BYTES);
    }
    saveOutOfSyncMap();
    startResync("differs from the primary (verify)");
  }

  // ---- status ----

  SecondaryStatus status() {
    long lag = out.lagBytes();
    State shown = state == State.IN_SYNC && out.lagWrites() > 0 ? State.LAGGING : state;
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
              resync.total() == 0
                  ? 100
                  : (int) (100L * (resync.total() - regions) / resync.total());
          default -> 100;
        };
    return new SecondaryStatus(
        storageSystem,
        shown,
        out.lagWrites(),
        lag,
        seconds,
        (long) regions * OutOfSyncMap.REGION_BYTES,
        percent,
        verify.status());
  }
}
