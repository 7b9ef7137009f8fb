package org.roamstore.storage.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkManagerExecutorTest {
  private final TestContainer container = new TestContainer();

  @AfterEach
  void stopContainer() {
    container.close();
  }

  @Test
  void tasksRunOnTheContainersThreads() throws Exception {
    CompletableFuture<String> thread = new CompletableFuture<>();
    new WorkManagerExecutor(container.workManager)
        .execute(() -> thread.complete(Thread.currentThread().getName()));

    assertEquals("test-work", thread.get(10, TimeUnit.SECONDS));
    assertEquals(1, container.worksScheduled.get());
  }

  @Test
  void aRefusedWorkIsARejectedTask() {
    container.workManager.refuse = true;
    assertThrows(
        RejectedExecutionException.class,
        () -> new WorkManagerExecutor(container.workManager).execute(() -> {}));
  }
}
