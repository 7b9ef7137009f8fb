package org.roamstore.storage.nbd;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A fixed set of long-lived threads, taken from the container's executor once, for requests that
 * may block (flush, FUA writes). No thread is created per request.
 */
final class NbdWorkers implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(NbdWorkers.class.getName());
  private static final Runnable STOP = () -> {};

  private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
  private final int count;
  private final CountDownLatch stopped;

  NbdWorkers(int count, Executor executor) {
    this.count = count;
    this.stopped = new CountDownLatch(count);
    for (int i = 0; i < count; i++) {
      executor.execute(this::work);
    }
  }

  void submit(Runnable task) {
    queue.add(task);
  }

  private void work() {
    try {
      while (true) {
        Runnable task = queue.take();
        if (task == STOP) {
          return;
        }
        try {
          task.run();
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "NBD worker task failed", e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stopped.countDown();
    }
  }

  @Override
  public void close() {
    for (int i = 0; i < count; i++) {
      queue.add(STOP);
    }
    try {
      stopped.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
