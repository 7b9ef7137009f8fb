package org.roamstore.storage.connector;

import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkManager;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs the engine's tasks (NBD sessions, the send process, cache write-back) on the container's
 * {@link WorkManager}, so that a connector never starts threads of its own. {@code scheduleWork}
 * matches the {@link Executor} contract: it returns at once and the task runs later; long-lived
 * loops are fine because the container holds each work on its own thread until it returns.
 */
final class WorkManagerExecutor implements Executor {
  private final WorkManager workManager;

  WorkManagerExecutor(WorkManager workManager) {
    this.workManager = Objects.requireNonNull(workManager, "work manager");
  }

  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task, "task");
    try {
      workManager.scheduleWork(new RunnableWork(task));
    } catch (WorkException e) {
      // The engine must learn that its task will never run, or it would wait for it forever.
      throw new RejectedExecutionException(
          "the container's work manager refused a storage task: " + e.getMessage(), e);
    }
  }

  private record RunnableWork(Runnable task) implements Work {
    @Override
    public void run() {
      task.run();
    }

    /**
     * The container calls this when it shuts down; the engine's loops end when its control unit
     * closes, which {@link StorageResourceAdapter#stop()} does right after, so nothing to do here.
     */
    @Override
    public void release() {}

    @Override
    public String toString() {
      return "storage task " + task;
    }
  }
}
