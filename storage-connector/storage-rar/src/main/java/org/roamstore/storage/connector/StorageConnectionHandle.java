package org.roamstore.storage.connector;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.control.CommandConnection;
import org.roamstore.storage.control.ControlCommand;

/**
 * What application code holds: a thin handle on a pooled {@link StorageManagedConnection}, passing
 * every command to its engine connection. Dead after {@link #close()} (or after the container
 * reclaims its managed connection): every call then fails with {@link
 * StorageException.Reason#CLOSED}.
 */
public final class StorageConnectionHandle extends CommandConnection {
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile StorageManagedConnection owner;

  StorageConnectionHandle(StorageManagedConnection owner) {
    this.owner = owner;
  }

  @Override
  public String storageSystem() {
    return call(CommandConnection::storageSystem);
  }

  @Override
  protected void checkOpen() {
    live();
  }

  @Override
  protected <R> R run(ControlCommand<R> command) {
    return call(c -> c.execute(command));
  }

  /** Gives the connection back to the pool. Closing twice is harmless (try-with-resources). */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      StorageManagedConnection current = owner;
      owner = null;
      if (current != null) {
        current.handleClosed(this);
      }
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  /** The container reclaimed the managed connection; no event, the pool already knows. */
  void invalidate() {
    closed.set(true);
    owner = null;
  }

  StorageManagedConnection owner() {
    return owner;
  }

  void associate(StorageManagedConnection newOwner) {
    if (closed.get()) {
      throw closedException();
    }
    owner = newOwner;
  }

  private <T> T call(Function<CommandConnection, T> operation) {
    StorageManagedConnection current = live();
    try {
      return operation.apply(current.engine());
    } catch (RuntimeException e) {
      current.handleFailed(this, e);
      throw e;
    }
  }

  private StorageManagedConnection live() {
    StorageManagedConnection current = owner;
    if (current == null || closed.get()) {
      throw closedException();
    }
    return current;
  }

  private static StorageException closedException() {
    return new StorageException(
        StorageException.Reason.CLOSED, "this storage connection handle is closed");
  }

  @Override
  public String toString() {
    StorageManagedConnection current = owner;
    return "StorageConnectionHandle[" + (current == null ? "closed" : current) + "]";
  }
}
