package org.roamstore.storage.replication.receive;

import jakarta.jms.JMSException;
import jakarta.jms.Message;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.roamstore.storage.replication.RemoteCopySettings;
import org.roamstore.storage.replication.ReplicaVolume;

/**
 * What the next checkpoint of the write data receive process covers (the batches dealt with and the
 * volumes written since the last one began), and when it is due: every interval, past a number of
 * bytes, or at once when a batch asks for it (someone at the primary waits for durable data).
 * Guarded by the receive process's lock.
 */
final class CheckpointPlan {
  private final RemoteCopySettings settings;
  // Batches dealt with (applied, skipped or refused) since the last checkpoint began.
  private List<Message> settled = new ArrayList<>();
  // Volumes written since the last checkpoint began.
  private Set<ReplicaVolume> touched = new LinkedHashSet<>();
  private long bytes;
  private long lastNanos = System.nanoTime();
  // A batch applied since the last checkpoint asked for one at once.
  private boolean asked;
  // Every batch settled since the last checkpoint began was one of markers only.
  private boolean markersOnly = true;

  CheckpointPlan(RemoteCopySettings settings) {
    this.settings = settings;
  }

  /** A batch dealt with: the broker hears it is consumed once a checkpoint after now is done. */
  void settled(Message batch) {
    settled.add(batch);
  }

  /** {@code volume} was written: the next checkpoint flushes it. */
  void wrote(ReplicaVolume volume) {
    touched.add(volume);
  }

  /** A batch asks for a checkpoint at once. */
  void ask() {
    asked = true;
  }

  /** {@code n} more bytes received. */
  void received(long n) {
    bytes += n;
  }

  long bytes() {
    return bytes;
  }

  boolean markersOnly() {
    return markersOnly;
  }

  void markersOnly(boolean onlyMarkers) {
    markersOnly = onlyMarkers;
  }

  private boolean isEmpty() {
    return settled.isEmpty() && touched.isEmpty();
  }

  boolean due(long now) {
    return !isEmpty()
        && (asked
            || now - lastNanos >= settings.checkpointInterval().toNanos()
            || bytes >= settings.checkpointBytes());
  }

  /** Whether anything waits for a checkpoint at all (at a stop, one is made of it). */
  boolean hasWork() {
    return !isEmpty();
  }

  /**
   * Whether only markers came since the last checkpoint, which has completed, and one asked for a
   * checkpoint: every write before them is durable already and the markers carry nothing.
   */
  boolean onlyMarkersAsked() {
    return asked && markersOnly && touched.isEmpty();
  }

  /** How long the loop may wait for a batch: at most 100 ms, so that a stop is noticed. */
  long waitMillis(long now) {
    if (isEmpty()) {
      return 100;
    }
    long left = settings.checkpointInterval().toNanos() - (now - lastNanos);
    return Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left)));
  }

  /** The asked checkpoint is served without one (see {@link #onlyMarkersAsked}). */
  void answered() {
    asked = false;
  }

  /**
   * A checkpoint of everything planned so far, with {@code streams} to save; the plan starts anew.
   */
  Checkpoint begin(List<Checkpoint.Stream> streams, long now) {
    Checkpoint c = new Checkpoint(settled, touched, streams);
    settled = new ArrayList<>();
    touched = new LinkedHashSet<>();
    markersOnly = true;
    asked = false;
    bytes = 0;
    lastNanos = now;
    return c;
  }

  /** A failed checkpoint's volumes and batches go to the next one. */
  void takeUp(Checkpoint failed) {
    touched.addAll(failed.flush);
    settled.addAll(0, failed.batches);
    markersOnly = false;
  }

  /** Tells a batch apart by something the broker's client knows. */
  interface BatchTest {
    boolean test(Message batch) throws JMSException;
  }

  /** Keeps only the settled batches that {@code keep} (the others come again). */
  void keepSettled(BatchTest keep) throws JMSException {
    List<Message> kept = new ArrayList<>();
    for (Message m : settled) {
      if (keep.test(m)) {
        kept.add(m);
      }
    }
    settled = kept;
  }

  /** A new connection: nothing settled counts any more, everything unacknowledged comes again. */
  void forgetSettled() {
    settled = new ArrayList<>();
    asked = false;
    markersOnly = true;
  }

  /** A new connection: bytes and the interval count from now. */
  void restartClock(long now) {
    bytes = 0;
    lastNanos = now;
  }
}
