package org.roamstore.storage.replication.send;

import java.util.concurrent.CompletableFuture;

/**
 * A SYNC write waiting for its secondaries (Fig. 10 step 1003): complete when every secondary it
 * waits for has it in its cache, or has been let go (marked out of sync); failed if a secondary's
 * timeout fails writes.
 */
final class SyncWrite {
  final CompletableFuture<Void> done = new CompletableFuture<>();
  private int waitingFor;

  void waitFor() {
    waitingFor++;
  }

  /** One secondary has it (or no longer counts). Called with the group lock held. */
  void arrived() {
    if (arrive()) {
      done.complete(null);
    }
  }

  /**
   * One secondary has it; returns whether that was the last, and the caller completes {@link #done}
   * once it has let go of the group lock. Called with the group lock held.
   */
  boolean arrive() {
    return --waitingFor == 0;
  }

  void fail(RuntimeException e) {
    done.completeExceptionally(e);
  }

  /** A waiter of one secondary: the write's last sequence in that secondary's stream. */
  record Waiter(
      org.roamstore.storage.replication.batch.StreamKey stream,
      long sequence,
      long deadlineNanos,
      SyncWrite write) {}
}
