package org.roamstore.storage.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * A TLS connection over a socket channel, for the part of an NBD connection after STARTTLS. It
 * behaves like a blocking channel: a read returns at least one byte or end of stream, a write takes
 * everything. While the socket is non-blocking (the handshake phase) every wait goes through the
 * {@link Waiter} handed in, which bounds it by the handshake's deadline.
 *
 * <p>One thread reads while others write (the reader thread and the workers of {@link
 * NbdConnection}); the engine allows a concurrent wrap and unwrap, and each side has its own lock
 * and buffers. A read that needs the engine to send something (a TLS 1.3 key update) takes the
 * write lock for it. A TLS 1.2 renegotiation is not served: a write that finds the engine waiting
 * for the peer fails, which ends the connection.
 *
 * <p>Buffers are direct and sized from the session: ciphertext buffers hold several records, so a
 * large read or write costs one system call per several records, and decrypted data goes straight
 * into the caller's buffer when it has room for a whole record.
 */
final class NbdTlsChannel implements ByteChannel, GatheringByteChannel {
  // Records per socket read or write: a few hundred KiB, like the plain path's buffers.
  private static final int RECORDS_PER_IO = 16;
  // What a wrap that only makes handshake or alert records consumes (empty, so never changed).
  private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};

  /** Waits until the socket is ready for {@code operation} (a {@link SelectionKey} op). */
  interface Waiter {
    void await(int operation) throws IOException;
  }

  private final SocketChannel socket;
  private final SSLEngine engine;
  private final Waiter waiter;
  private final ReentrantLock readLock = new ReentrantLock();
  private final ReentrantLock writeLock = new ReentrantLock();
  private final int packetBytes;
  private final int recordBytes;
  private ByteBuffer netIn; // guarded by readLock; read mode
  private ByteBuffer appIn; // guarded by readLock; read mode
  private ByteBuffer netOut; // guarded by writeLock; write mode
  private boolean handshaken;

  NbdTlsChannel(SocketChannel socket, SSLEngine engine, Waiter waiter) {
    this.socket = socket;
    this.engine = engine;
    this.waiter = waiter;
    this.packetBytes = engine.getSession().getPacketBufferSize();
    this.recordBytes = engine.getSession().getApplicationBufferSize();
    this.netIn = ByteBuffer.allocateDirect(packetBytes * RECORDS_PER_IO).flip();
    this.appIn = ByteBuffer.allocateDirect(recordBytes).flip();
    this.netOut = ByteBuffer.allocateDirect(packetBytes * RECORDS_PER_IO);
  }

  /** Runs the TLS handshake; the client's certificate, if one is required, is checked here. */
  void handshake() throws IOException {
    readLock.lock();
    writeLock.lock();
    try {
      engine.beginHandshake();
      HandshakeStatus status = engine.getHandshakeStatus();
      while (status != HandshakeStatus.FINISHED && status != HandshakeStatus.NOT_HANDSHAKING) {
        switch (status) {
          case NEED_TASK -> status = runTasks();
          case NEED_WRAP -> {
            status = wrap(NOTHING).getHandshakeStatus();
            flush();
          }
          default -> {
            // NEED_UNWRAP: anything the client sends after its last message stays in appIn.
            SSLEngineResult r = unwrap(appIn.compact());
            appIn.flip();
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
              throw new EOFException("the client closed TLS during the handshake");
            }
            status = r.getHandshakeStatus();
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW && readNet() < 0) {
              throw new EOFException("the client closed during the TLS handshake");
            }
          }
        }
      }
      flush();
      handshaken = true;
    } catch (SSLException e) {
      sendAlert();
      throw e;
    } finally {
      writeLock.unlock();
      readLock.unlock();
    }
  }

  /**
   * After a failed handshake the engine holds an alert saying why (a missing certificate, say):
   * send it, so the client can tell its user, but do not wait long for a client that is gone.
   */
  private void sendAlert() {
    try {
      engine.closeOutbound();
      for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
        wrap(NOTHING);
      }
      flush();
    } catch (IOException | RuntimeException e) {
      // the alert is a courtesy
    }
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    readLock.lock();
    try {
      while (true) {
        if (appIn.hasRemaining()) {
          return transfer(appIn, dst);
        }
        int before = dst.position();
        while (netIn.hasRemaining()) {
          boolean direct = dst.remaining() >= recordBytes;
          SSLEngineResult r;
          if (direct) {
            r = unwrap(dst);
          } else {
            r = unwrap(appIn.clear());
            appIn.flip();
          }
          if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
            return dst.position() > before ? dst.position() - before : -1;
          }
          afterUnwrap(r.getHandshakeStatus());
          if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW || !direct) {
            break;
          }
        }
        if (dst.position() > before) {
          return dst.position() - before;
        }
        if (appIn.hasRemaining()) {
          continue;
        }
        if (readNet() < 0) {
          return -1;
        }
      }
    } finally {
      readLock.unlock();
    }
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    return (int) write(new ByteBuffer[] {src}, 0, 1);
  }

  @Override
  public long write(ByteBuffer[] srcs) throws IOException {
    return write(srcs, 0, srcs.length);
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    ByteBuffer[] sources =
        offset == 0 && length == srcs.length
            ? srcs
            : Arrays.copyOfRange(srcs, offset, offset + length);
    writeLock.lock();
    try {
      long total = 0;
      while (remaining(sources)) {
        SSLEngineResult r = wrap(sources);
        total += r.bytesConsumed();
        if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
          switch (r.getHandshakeStatus()) {
            case NEED_TASK -> runTasks();
            case NEED_UNWRAP, NEED_UNWRAP_AGAIN ->
                throw new SSLException("TLS renegotiation is not supported");
            default -> {
              // NEED_WRAP goes round again
            }
          }
        }
      }
      flush();
      return total;
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Says goodbye (close_notify) if the connection is still healthy, then closes the socket. Only
   * for connections that ended cleanly: the caller must not be blocked writing elsewhere.
   */
  void closeGracefully() {
    if (writeLock.tryLock()) {
      try {
        engine.closeOutbound();
        while (!engine.isOutboundDone()) {
          wrap(NOTHING);
        }
        flush();
      } catch (IOException e) {
        // the client is gone already
      } finally {
        writeLock.unlock();
      }
    }
    close();
  }

  @Override
  public boolean isOpen() {
    return socket.isOpen();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing left to do with it
    }
  }

  /** After a read's unwrap: a key update or other post-handshake message may need an answer. */
  private void afterUnwrap(HandshakeStatus status) throws IOException {
    if (!handshaken) {
      return;
    }
    while (status == HandshakeStatus.NEED_TASK || status == HandshakeStatus.NEED_WRAP) {
      if (status == HandshakeStatus.NEED_TASK) {
        status = runTasks();
        continue;
      }
      writeLock.lock();
      try {
        status = wrap(NOTHING).getHandshakeStatus();
        flush();
      } finally {
        writeLock.unlock();
      }
    }
  }

  private HandshakeStatus runTasks() {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
    return engine.getHandshakeStatus();
  }

  /** One unwrap from netIn into {@code dst}, growing appIn if the session asks for more room. */
  private SSLEngineResult unwrap(ByteBuffer dst) throws IOException {
    SSLEngineResult r = engine.unwrap(netIn, dst);
    if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
      if (dst != appIn || appIn.position() > 0) {
        // The caller's buffer lacks room for a record, or appIn still holds data: decrypt into
        // an empty appIn instead. Reached only when the session grew its records.
        throw new SSLException("TLS record larger than the negotiated buffer");
      }
      appIn = ByteBuffer.allocateDirect(engine.getSession().getApplicationBufferSize());
      return engine.unwrap(netIn, appIn);
    }
    return r;
  }

  /** One wrap into netOut, flushing first when it lacks room for a whole record. */
  private SSLEngineResult wrap(ByteBuffer[] sources) throws IOException {
    if (netOut.remaining() < packetBytes) {
      flush();
    }
    SSLEngineResult r = engine.wrap(sources, netOut);
    if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
      flush();
      int needed = engine.getSession().getPacketBufferSize();
      if (netOut.capacity() < needed) {
        netOut = ByteBuffer.allocateDirect(needed * RECORDS_PER_IO);
      }
      r = engine.wrap(sources, netOut);
    }
    if (r.getStatus() == SSLEngineResult.Status.CLOSED && !engine.isOutboundDone()) {
      throw new SSLException("TLS is closed");
    }
    return r;
  }

  /** Reads more ciphertext; -1 at end of stream. */
  private int readNet() throws IOException {
    if (!netIn.hasRemaining()) {
      netIn.clear();
    } else {
      netIn.compact();
    }
    try {
      if (!netIn.hasRemaining()) {
        // A record larger than the buffer: only if the session's packets grew.
        ByteBuffer bigger = ByteBuffer.allocateDirect(netIn.capacity() * 2);
        netIn.flip();
        bigger.put(netIn);
        netIn = bigger;
      }
      while (true) {
        int n = socket.read(netIn);
        if (n != 0) {
          return n;
        }
        waiter.await(SelectionKey.OP_READ);
      }
    } finally {
      netIn.flip();
    }
  }

  private void flush() throws IOException {
    netOut.flip();
    try {
      while (netOut.hasRemaining()) {
        if (socket.write(netOut) == 0) {
          waiter.await(SelectionKey.OP_WRITE);
        }
      }
    } finally {
      netOut.clear();
    }
  }

  private static boolean remaining(ByteBuffer[] buffers) {
    for (ByteBuffer b : buffers) {
      if (b.hasRemaining()) {
        return true;
      }
    }
    return false;
  }

  private static int transfer(ByteBuffer from, ByteBuffer to) {
    int n = Math.min(from.remaining(), to.remaining());
    to.put(to.position(), from, from.position(), n);
    to.position(to.position() + n);
    from.position(from.position() + n);
    return n;
  }
}
