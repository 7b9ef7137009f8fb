package org.roamstore.storage.replication.send;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.replication.batch.StreamKey;

/**
 * Who waits for a secondary of one copy group to reach a sequence: a FLUSH (committed: in the
 * broker's journal, or for SYNC on the secondary's disk) or, {@code untilDurable}, the activity
 * log's cooling (on the secondary's disk, whatever the transfer type). Used under the {@link
 * GroupStream}'s lock, whose secondaries it shares.
 */
final class FlushWaits {
  private record Waiter(
      SecondaryLink link,
      StreamKey stream,
      long sequence,
      long deadlineNanos,
      boolean untilDurable,
      CompletableFuture<Void> done) {

    /** Whether the secondary has what was waited for, or will never be asked for it again. */
    boolean reached() {
      return link.has(stream, sequence, untilDurable);
    }
  }

  private final Map<String, SecondaryLink> links;
  private final List<Waiter> waiters = new ArrayList<>();

  FlushWaits(Map<String, SecondaryLink> links) {
    this.links = links;
  }

  /** Waits for {@code link} to reach {@code sequence} of its current stream. */
  CompletableFuture<Void> add(
      SecondaryLink link, long sequence, long deadlineNanos, boolean untilDurable) {
    Waiter w =
        new Waiter(
            link, link.stream(), sequence, deadlineNanos, untilDurable, new CompletableFuture<>());
    waiters.add(w);
    return w.done();
  }

  /**
   * Registers a waiter per secondary that does not yet have everything queued so far: committed
   * (SYNC, {@code sync}: on its disk, which a marker asks it to reach now) or, {@code
   * untilDurable}, on its disk. Returns the waits, none if every secondary has it.
   */
  List<CompletableFuture<Void>> addForQueued(boolean untilDurable, boolean sync, Duration timeout) {
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    for (SecondaryLink link : links.values()) {
      if (link.owes(untilDurable)) {
        long sequence =
            link.streaming() && (untilDurable || sync)
                ? link.out().marker()
                : link.out().lastAssigned();
        waits.add(add(link, sequence, deadline, untilDurable));
      }
    }
    return waits;
  }

  /** Completes the waits their secondaries have reached, or fails those that never will. */
  void complete() {
    if (waiters.isEmpty()) {
      return;
    }
    waiters.removeIf(
        w -> {
          SecondaryLink link = w.link();
          if (w.done().isDone()) {
            return true;
          }
          boolean member = links.containsValue(link);
          if (w.untilDurable() && (!link.stream().equals(w.stream()) || !member)) {
            // The stream moved on (a new epoch): whether the old one got there is unknown.
            w.done()
                .completeExceptionally(
                    new StorageException(
                        Reason.TIMEOUT, "the stream to " + link.storageSystem + " changed"));
            return true;
          }
          boolean done = w.reached() || !member;
          if (done) {
            w.done().complete(null);
          }
          return done;
        });
  }

  /**
   * The waits past their deadline: a durable one fails (a slow secondary is not marked out of sync
   * for it); for a FLUSH the answer lists its secondary, which the group marks out of sync.
   */
  List<SecondaryLink> overdue(long now) {
    List<SecondaryLink> late = new ArrayList<>(0);
    for (Waiter w : waiters) {
      if (!w.done().isDone() && now - w.deadlineNanos() > 0) {
        if (w.untilDurable()) {
          w.done()
              .completeExceptionally(
                  new StorageException(
                      Reason.TIMEOUT,
                      w.link().storageSystem + " did not make its data durable in time"));
        } else if (!late.contains(w.link())) {
          late.add(w.link());
        }
      }
    }
    return late;
  }
}
