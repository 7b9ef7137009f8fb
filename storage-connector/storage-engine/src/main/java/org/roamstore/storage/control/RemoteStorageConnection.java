package org.roamstore.storage.control;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;

/**
 * A storage connection whose calls are control requests to the unit's request queue, wherever that
 * unit runs: in this JVM, or at another site behind the brokers' bridges. Refusals arrive as the
 * same {@link StorageException}s a local call throws; silence as {@link Reason#UNREACHABLE}.
 */
public final class RemoteStorageConnection extends CommandConnection {
  private final ControlClient client;
  private final String storageSystem;
  private final Duration timeout;
  private final Duration drainTimeout;
  private volatile boolean closed;

  /**
   * @param timeout how long a call waits for its answer
   * @param drainTimeout how long the unit may drain when a new copy group definition demotes it
   *     (waited on top of {@code timeout}; a cache synchronization waits its own timeout on top)
   */
  public RemoteStorageConnection(
      ControlClient client, String storageSystem, Duration timeout, Duration drainTimeout) {
    this.client = Objects.requireNonNull(client, "client");
    this.storageSystem = storageSystem;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.drainTimeout = Objects.requireNonNull(drainTimeout, "drain timeout");
  }

  @Override
  public String storageSystem() {
    return storageSystem;
  }

  @Override
  protected void checkOpen() {
    if (closed) {
      throw new StorageException(Reason.CLOSED, "this storage connection is closed");
    }
  }

  @Override
  protected <R> R run(ControlCommand<R> command) {
    String name = CommandCodec.name(command);
    byte[] request;
    try {
      request = CommandCodec.encode(command);
    } catch (IOException e) {
      throw new StorageException(Reason.INVALID_ARGUMENT, "cannot encode " + name, e);
    }
    Duration wait = timeout.plus(command.mayTakeExtra(drainTimeout));
    ControlClient.Reply reply = client.call(storageSystem, name, request, wait);
    try {
      return CommandCodec.decodeResult(command, reply.body());
    } catch (IOException | RuntimeException e) {
      throw new StorageException(
          Reason.IO_ERROR, "malformed answer to " + name + " from " + storageSystem, e);
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
