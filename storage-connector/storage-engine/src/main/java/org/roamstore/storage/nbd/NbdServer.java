package org.roamstore.storage.nbd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Phaser;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Accepts NBD clients. The accept loop, one reader per connection and the worker pool all run on
 * threads of the executor handed in, which in a container is the resource adapter's work manager.
 */
public final class NbdServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(NbdServer.class.getName());
  private static final int WORKERS = 4;
  // A client that connects and never chooses an export would hold its thread for good otherwise.
  static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

  private final ServerSocketChannel server;
  private final NbdExportResolver resolver;
  private final Executor executor;
  private final Duration handshakeTimeout;
  private final NbdWorkers workers;
  private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
  // One party per running loop (accept loop and each connection), so close() can wait for them.
  private final Phaser running = new Phaser(1);
  private volatile boolean closed;

  private NbdServer(
      ServerSocketChannel server,
      NbdExportResolver resolver,
      Executor executor,
      Duration handshakeTimeout) {
    this.server = server;
    this.resolver = resolver;
    this.executor = executor;
    this.handshakeTimeout = handshakeTimeout;
    this.workers = new NbdWorkers(WORKERS, executor);
  }

  /** Binds {@code host:port} (port 0 picks a free one) and starts accepting. */
  public static NbdServer start(
      String host, int port, NbdExportResolver resolver, Executor executor) throws IOException {
    return start(host, port, resolver, executor, HANDSHAKE_TIMEOUT);
  }

  /** {@code handshakeTimeout}: how long a client may take to choose an export. */
  static NbdServer start(
      String host,
      int port,
      NbdExportResolver resolver,
      Executor executor,
      Duration handshakeTimeout)
      throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open();
    try {
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      server.bind(new InetSocketAddress(host, port), 128);
    } catch (IOException e) {
      server.close();
      throw new IOException("cannot listen for NBD on " + host + ":" + port, e);
    }
    NbdServer nbd = new NbdServer(server, resolver, executor, handshakeTimeout);
    nbd.running.register();
    try {
      executor.execute(nbd::acceptLoop);
    } catch (RejectedExecutionException e) {
      nbd.running.arriveAndDeregister();
      nbd.close();
      throw e;
    }
    return nbd;
  }

  public int port() {
    return server.socket().getLocalPort();
  }

  private void acceptLoop() {
    try {
      while (!closed) {
        SocketChannel client = server.accept();
        client.setOption(StandardSocketOptions.TCP_NODELAY, true);
        connections.add(client);
        running.register();
        try {
          executor.execute(() -> serve(client));
        } catch (RejectedExecutionException e) {
          LOG.warning("no thread for a new NBD connection; refusing it");
          drop(client);
          running.arriveAndDeregister();
        }
      }
    } catch (ClosedChannelException e) {
      // close() stops the loop this way
    } catch (IOException e) {
      if (!closed) {
        LOG.log(Level.SEVERE, "NBD accept loop failed", e);
      }
    } finally {
      running.arriveAndDeregister();
    }
  }

  private void serve(SocketChannel client) {
    try {
      NbdSession session = new NbdHandshake(client, resolver, handshakeTimeout).negotiate();
      if (session != null) {
        new NbdConnection(client, session, workers).serve();
      }
    } catch (IOException | RuntimeException e) {
      NbdConnection.logUnexpected(e);
    } finally {
      drop(client);
      running.arriveAndDeregister();
    }
  }

  private void drop(SocketChannel client) {
    connections.remove(client);
    try {
      client.close();
    } catch (IOException e) {
      // nothing left to do with it
    }
  }

  /** Stops accepting, disconnects every client and waits for their threads to return. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      LOG.log(Level.FINE, "closing the NBD listener", e);
    }
    for (SocketChannel client : connections) {
      drop(client);
    }
    try {
      running.awaitAdvanceInterruptibly(running.arrive(), 30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException e) {
      LOG.warning("NBD connections did not end within 30 s");
    }
    workers.close();
  }
}
