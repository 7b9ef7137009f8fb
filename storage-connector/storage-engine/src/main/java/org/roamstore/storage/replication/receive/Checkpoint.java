package org.roamstore.storage.replication.receive;

import jakarta.jms.Message;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.roamstore.storage.replication.ReplicaVolume;

/**
 * A checkpoint of the write data receive process on its way: flushes the volumes written and saves
 * the applied streams as they were when it began, on a thread beside the receive loop. The loop
 * then acknowledges its batches to the broker and tells the primaries they are durable; if it
 * failed, the next checkpoint takes up all of it again.
 */
final class Checkpoint implements Runnable {

  /** A stream's state to save, where, and the live stream to move on once it is saved. */
  record Stream(AppliedStream state, AppliedStream.Saved saved, Path file) {}

  final List<Message> batches;
  final Set<ReplicaVolume> flush;
  final List<Stream> streams;
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile Exception failure;

  Checkpoint(List<Message> batches, Set<ReplicaVolume> flush, List<Stream> streams) {
    this.batches = batches;
    this.flush = flush;
    this.streams = streams;
  }

  @Override
  public void run() {
    try {
      for (ReplicaVolume v : flush) {
        v.flush();
      }
      for (Stream s : streams) {
        s.saved().save(s.file());
      }
    } catch (IOException | RuntimeException e) {
      failure = e;
    } finally {
      done.countDown();
    }
  }

  boolean isDone() {
    return done.getCount() == 0;
  }

  /** Why it failed, once done; null if it did not. */
  Exception failure() {
    return failure;
  }

  /** Waits until it is done, whatever interrupts: its outcome must be known, and it is short. */
  void await() {
    boolean interrupted = false;
    while (true) {
      try {
        done.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
