package org.roamstore.directory.switching;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Threads for the calls a switch makes to several storage control units at once (see {@link
 * SwitchService}), from the container's thread factory so they carry the application's context. Its
 * own pool rather than the default managed executor, where the event publisher's drains run: a
 * switch must never wait in a queue behind them. When every thread is busy the task runs on the
 * calling thread, so a switch is at worst as slow as one call after the other.
 */
@ApplicationScoped
public class StorageCalls implements Executor {
  static final int MAX_THREADS = 16;

  @Resource private ManagedThreadFactory threads;

  private ThreadPoolExecutor pool;

  @PostConstruct
  void start() {
    pool =
        new ThreadPoolExecutor(
            0,
            MAX_THREADS,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            threads,
            // Also after shutdown: a task dropped silently would leave its switch waiting forever.
            (task, full) -> task.run());
  }

  @PreDestroy
  void stop() {
    pool.shutdown();
  }

  @Override
  public void execute(Runnable task) {
    pool.execute(task);
  }
}
