package org.roamstore.directory.transaction;

import jakarta.transaction.Synchronization;
import java.util.function.IntConsumer;

/**
 * A JTA synchronization that acts only once its transaction has completed, given the outcome
 * ({@link jakarta.transaction.Status}): what the directory does after a commit or a rollback.
 */
public record AfterCompletion(IntConsumer action) implements Synchronization {

  @Override
  public void beforeCompletion() {}

  @Override
  public void afterCompletion(int status) {
    action.accept(status);
  }
}
