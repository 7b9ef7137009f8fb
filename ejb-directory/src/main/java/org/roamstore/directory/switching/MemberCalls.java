package org.roamstore.directory.switching;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Calls to several members at once: each a round trip to another site once sites run in separate
 * JVMs. With a caller-runs executor ({@code Runnable::run}) they run one after the other on the
 * caller's thread.
 */
final class MemberCalls {
  private final Executor executor;

  /**
   * The executor must never queue a task behind one that waits for a switch (a pool that runs a
   * task on the caller's thread when it is full is fine).
   */
  MemberCalls(Executor executor) {
    this.executor = executor;
  }

  <T> CompletableFuture<T> supply(Supplier<T> task) {
    return CompletableFuture.supplyAsync(task, executor);
  }

  /** The task's result; what it threw is thrown as it was, not wrapped. */
  static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }
}
