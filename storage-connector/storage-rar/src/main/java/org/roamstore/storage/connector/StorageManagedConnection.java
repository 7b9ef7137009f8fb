package org.roamstore.storage.connector;

import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.IllegalStateException;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionMetaData;
import java.io.PrintWriter;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.security.auth.Subject;
import javax.transaction.xa.XAResource;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.control.CommandConnection;

/**
 * The pooled, physical side of a storage connection: one engine connection to the shared control
 * unit. Application code never sees it; it gets {@link StorageConnectionHandle}s, which delegate
 * here and report their close and their failures back so the pool can recycle or discard this.
 */
final class StorageManagedConnection implements ManagedConnection {
  private static final Logger LOG = Logger.getLogger(StorageManagedConnection.class.getName());

  private final StorageManagedConnectionFactory factory;
  private final StorageConnectionRequestInfo requestInfo;
  private final CommandConnection engine;
  private final Set<StorageConnectionHandle> handles = ConcurrentHashMap.newKeySet();
  private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean destroyed;
  private PrintWriter logWriter;

  StorageManagedConnection(
      StorageManagedConnectionFactory factory,
      CommandConnection engine,
      StorageConnectionRequestInfo requestInfo) {
    this.factory = factory;
    this.requestInfo = requestInfo;
    this.engine = engine;
  }

  /** A new handle; the storage needs no subject (access is granted per volume and epoch). */
  @Override
  public Object getConnection(Subject subject, ConnectionRequestInfo requestInfo)
      throws ResourceException {
    requireAlive();
    StorageConnectionHandle handle = new StorageConnectionHandle(this);
    handles.add(handle);
    return handle;
  }

  /** Moves a handle of another managed connection (of the same factory) onto this one. */
  @Override
  public void associateConnection(Object connection) throws ResourceException {
    requireAlive();
    if (!(connection instanceof StorageConnectionHandle handle)) {
      throw new ResourceException("not a storage connection handle: " + connection);
    }
    if (handle.isClosed()) {
      throw new IllegalStateException("a closed storage connection handle stays closed");
    }
    StorageManagedConnection previous = handle.owner();
    if (previous != this) {
      if (previous != null && !previous.factory.equals(factory)) {
        throw new ResourceException(
            "cannot move a handle of "
                + previous.factory.getStorageSystem()
                + " onto "
                + factory.getStorageSystem());
      }
      handle.associate(this);
      if (previous != null) {
        previous.handles.remove(handle);
      }
      handles.add(handle);
    }
  }

  /**
   * Called by the container when this goes back to the pool: handles still held are now dead, so
   * stale references in application code fail loudly instead of sharing a pooled connection.
   */
  @Override
  public void cleanup() throws ResourceException {
    for (StorageConnectionHandle handle : handles) {
      handle.invalidate();
    }
    handles.clear();
  }

  /** Releases the engine connection; the control unit itself stays open for the other pools. */
  @Override
  public void destroy() throws ResourceException {
    if (destroyed) {
      return;
    }
    destroyed = true;
    cleanup();
    listeners.clear();
    try {
      engine.close();
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "closing an engine connection that had already failed", e);
    }
  }

  @Override
  public void addConnectionEventListener(ConnectionEventListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public void removeConnectionEventListener(ConnectionEventListener listener) {
    listeners.remove(listener);
  }

  /** Storage is not transactional; see {@link StorageManagedConnectionFactory}. */
  @Override
  public XAResource getXAResource() throws ResourceException {
    throw new NotSupportedException("storage connections take part in no transaction");
  }

  @Override
  public LocalTransaction getLocalTransaction() throws ResourceException {
    throw new NotSupportedException("storage connections take part in no transaction");
  }

  @Override
  public ManagedConnectionMetaData getMetaData() {
    return new StorageManagedConnectionMetaData(factory.getStorageSystem());
  }

  @Override
  public PrintWriter getLogWriter() {
    return logWriter;
  }

  @Override
  public void setLogWriter(PrintWriter logWriter) {
    this.logWriter = logWriter;
  }

  boolean matches(StorageManagedConnectionFactory requester, StorageConnectionRequestInfo info) {
    return !destroyed && factory.equals(requester) && Objects.equals(requestInfo, info);
  }

  /** The engine connection, for handles of this managed connection only. */
  CommandConnection engine() {
    if (destroyed) {
      throw new StorageException(
          StorageException.Reason.CLOSED, "the storage connection was destroyed");
    }
    return engine;
  }

  int openHandles() {
    return handles.size();
  }

  void handleClosed(StorageConnectionHandle handle) {
    handles.remove(handle);
    ConnectionEvent event = new ConnectionEvent(this, ConnectionEvent.CONNECTION_CLOSED);
    event.setConnectionHandle(handle);
    for (ConnectionEventListener listener : listeners) {
      listener.connectionClosed(event);
    }
  }

  /**
   * A failure that says this connection, not the request, is broken: the pool must discard it
   * rather than hand it to the next caller. Refusals of a request (unknown volume, stale epoch ...)
   * are the caller's business and leave the connection healthy.
   */
  void handleFailed(StorageConnectionHandle handle, RuntimeException failure) {
    if (!breaksConnection(failure)) {
      return;
    }
    LOG.log(
        Level.WARNING, "storage connection to " + factory.getStorageSystem() + " failed", failure);
    ConnectionEvent event =
        new ConnectionEvent(this, ConnectionEvent.CONNECTION_ERROR_OCCURRED, failure);
    event.setConnectionHandle(handle);
    for (ConnectionEventListener listener : listeners) {
      listener.connectionErrorOccurred(event);
    }
  }

  private static boolean breaksConnection(RuntimeException failure) {
    if (failure instanceof StorageException storage) {
      // CLOSED here comes from the engine (a live handle checks its own state first): the control
      // unit went away underneath this connection.
      return storage.reason() == StorageException.Reason.IO_ERROR
          || storage.reason() == StorageException.Reason.CLOSED;
    }
    return true; // anything else from the engine is a bug or a broken resource, not a refusal
  }

  private void requireAlive() throws ResourceException {
    if (destroyed) {
      throw new IllegalStateException("the storage connection was destroyed");
    }
  }

  @Override
  public String toString() {
    return "StorageManagedConnection[" + factory.getStorageSystem() + "]";
  }
}
