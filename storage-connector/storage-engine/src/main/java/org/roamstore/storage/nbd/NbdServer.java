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
import javax.net.ssl.SSLException;

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
  private final NbdTls tls;
  private final Executor executor;
  private final Duration handshakeTimeout;
  private final NbdWorkers workers;
  private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
  // One party per running loop (accept loop and each connection), so close() can wait for them.
  private final Phaser running = new Phaser(1);
  private volatile boolean closed;
  private volatile long nextTlsLog = System.nanoTime();

  private NbdServer(
      ServerSocketChannel server,
      NbdExportResolver resolver,
      NbdTls tls,
      Executor executor,
      Duration handshakeTimeout) {
    this.server = server;
    this.resolver = resolver;
    this.tls = tls;
    this.executor = executor;
    this.handshakeTimeout = handshakeTimeout;
    this.workers = new NbdWorkers(WORKERS, executor);
  }

  /** Binds {@code host:port} (port 0 picks a free one) and starts accepting, without TLS. */
  public static NbdServer start(
      String host, int port, NbdExportResolver resolver, Executor executor) throws IOException {
    return start(host, port, resolver, NbdTls.off(), executor, HANDSHAKE_TIMEOUT);
  }

  /** Binds {@code host:port} and starts accepting, with TLS as {@code tls} says. */
  public static NbdServer start(
      String host, int port, NbdExportResolver resolver, NbdTls tls, Executor executor)
      throws IOException {
    return start(host, port, resolver, tls, executor, HANDSHAKE_TIMEOUT);
  }

  /** {@code handshakeTimeout}: how long a client may take to choose an export, TLS included. */
  static NbdServer start(
      String host,
      int port,
      NbdExportResolver resolver,
      NbdTls tls,
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
    NbdServer nbd = new NbdServer(server, resolver, tls, executor, handshakeTimeout);
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

  public NbdTls tls() {
    return tls;
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
    NbdHandshake handshake = new NbdHandshake(client, resolver, tls, handshakeTimeout);
    try {
      NbdSession session = handshake.negotiate();
      NbdTlsChannel secured = handshake.secured();
      if (session != null) {
        new NbdConnection(client, secured, session, workers).serve();
      }
      if (secured != null) {
        secured.closeGracefully();
      }
    } catch (SSLException e) {
      refusedTls(client, e);
    } catch (IOException | RuntimeException e) {
      NbdConnection.logUnexpected(e);
    } finally {
      drop(client);
      running.arriveAndDeregister();
    }
  }

  /**
   * A TLS failure (a bad or missing client certificate, garbage instead of a handshake) costs one
   * short line, and at most one a second: a client retrying in a loop must not fill the log.
   */
  private void refusedTls(SocketChannel client, SSLException e) {
    long now = System.nanoTime();
    long next = nextTlsLog;
    if (now - next >= 0) {
      nextTlsLog = now + TimeUnit.SECONDS.toNanos(1);
      String message = String.valueOf(e.getMessage());
      String clipped = message.length() > 160 ? message.substring(0, 160) + "..." : message;
      LOG.info("NBD TLS refused for " + peer(client) + ": " + clipped);
    } else {
      LOG.log(Level.FINE, "NBD TLS refused", e);
    }
  }

  private static String peer(SocketChannel client) {
    try {
      return String.valueOf(client.getRemoteAddress());
    } catch (IOException e) {
      return "a client";
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
