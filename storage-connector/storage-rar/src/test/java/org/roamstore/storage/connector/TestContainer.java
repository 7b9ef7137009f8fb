package org.roamstore.storage.connector;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;
import jakarta.resource.spi.XATerminator;
import jakarta.resource.spi.work.ExecutionContext;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkContext;
import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkListener;
import jakarta.resource.spi.work.WorkManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Timer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Just enough of an application server for unit tests of the shell: a work manager on a thread
 * pool, a bootstrap context, and a connection manager that pools like a container does (match, hand
 * out a handle, clean up on close, discard on error).
 */
final class TestContainer implements AutoCloseable {
  final AtomicInteger worksScheduled = new AtomicInteger();
  final TestWorkManager workManager = new TestWorkManager();
  final BootstrapContext bootstrapContext = new TestBootstrapContext();

  @Override
  public void close() {
    workManager.threads.shutdownNow();
  }

  final class TestWorkManager implements WorkManager {
    final ExecutorService threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "test-work");
              t.setDaemon(true);
              return t;
            });
    volatile boolean refuse;

    @Override
    public void doWork(Work work) throws WorkException {
      work.run();
    }

    @Override
    public void doWork(Work work, long timeout, ExecutionContext ctx, WorkListener listener)
        throws WorkException {
      work.run();
    }

    @Override
    public long startWork(Work work) throws WorkException {
      scheduleWork(work);
      return 0;
    }

    @Override
    public long startWork(Work work, long timeout, ExecutionContext ctx, WorkListener listener)
        throws WorkException {
      scheduleWork(work);
      return 0;
    }

    @Override
    public void scheduleWork(Work work) throws WorkException {
      if (refuse) {
        throw new WorkException("refused by the test");
      }
      try {
        threads.execute(work);
        worksScheduled.incrementAndGet();
      } catch (RejectedExecutionException e) {
        throw new WorkException(e);
      }
    }

    @Override
    public void scheduleWork(Work work, long timeout, ExecutionContext ctx, WorkListener listener)
        throws WorkException {
      scheduleWork(work);
    }
  }

  private final class TestBootstrapContext implements BootstrapContext {
    @Override
    public WorkManager getWorkManager() {
      return workManager;
    }

    @Override
    public XATerminator getXATerminator() {
      return null;
    }

    @Override
    public Timer createTimer() {
      return new Timer(true);
    }

    @Override
    public boolean isContextSupported(Class<? extends WorkContext> workContextClass) {
      return false;
    }

    @Override
    public TransactionSynchronizationRegistry getTransactionSynchronizationRegistry() {
      return null;
    }
  }

  /** A pool of one factory's managed connections, as a container keeps it. */
  static final class TestConnectionManager implements ConnectionManager, ConnectionEventListener {
    private static final long serialVersionUID = 1L;
    final Set<ManagedConnection> free = new HashSet<>();
    final List<ManagedConnection> created = new ArrayList<>();
    final List<ManagedConnection> destroyed = new ArrayList<>();
    final List<ConnectionEvent> events = new ArrayList<>();

    @Override
    public synchronized Object allocateConnection(
        ManagedConnectionFactory factory, ConnectionRequestInfo info) throws ResourceException {
      ManagedConnection connection = factory.matchManagedConnections(free, null, info);
      if (connection == null) {
        connection = factory.createManagedConnection(null, info);
        connection.addConnectionEventListener(this);
        created.add(connection);
      } else {
        free.remove(connection);
      }
      return connection.getConnection(null, info);
    }

    @Override
    public synchronized void connectionClosed(ConnectionEvent event) {
      events.add(event);
      ManagedConnection connection = (ManagedConnection) event.getSource();
      try {
        connection.cleanup();
      } catch (ResourceException e) {
        throw new IllegalStateException(e);
      }
      free.add(connection);
    }

    @Override
    public synchronized void connectionErrorOccurred(ConnectionEvent event) {
      events.add(event);
      ManagedConnection connection = (ManagedConnection) event.getSource();
      free.remove(connection);
      destroyed.add(connection);
      try {
        connection.destroy();
      } catch (ResourceException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void localTransactionStarted(ConnectionEvent event) {}

    @Override
    public void localTransactionCommitted(ConnectionEvent event) {}

    @Override
    public void localTransactionRolledback(ConnectionEvent event) {}
  }
}
