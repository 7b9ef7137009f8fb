package org.roamstore.storage.nbd;

import static org.roamstore.storage.nbd.NbdProtocol.*;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.storage.api.StorageException;

/**
 * The transmission phase of one client connection.
 *
 * <p>The reader thread parses requests from a direct buffer and executes reads and plain writes in
 * place: they only touch the cache. Their replies collect in one output buffer that goes out when
 * the reader has no complete request left, so a pipelined burst costs one read and one write system
 * call. Requests that can block (flush, FUA, zeroing, writes waiting for remote copy) complete
 * elsewhere and send their replies through the same buffer under the same lock.
 */
final class NbdConnection {
  private static final Logger LOG = Logger.getLogger(NbdConnection.class.getName());
  private static final int INPUT_BYTES = 256 * 1024;
  private static final int OUTPUT_BYTES = 2 << 20;
  // Zeroing more than this goes to a worker so the reader keeps going.
  private static final long INLINE_ZERO_BYTES = 1 << 20;

  private final SocketChannel channel;
  private final NbdExport export;
  private final NbdWorkers workers;
  private final ByteBuffer in = ByteBuffer.allocateDirect(INPUT_BYTES).flip();
  private ByteBuffer bigPayload; // reused for writes larger than the input buffer
  private ByteBuffer bigRead; // reused for reads larger than the output buffer

  private final ReentrantLock outLock = new ReentrantLock();
  private final Condition idle = outLock.newCondition();
  private final ByteBuffer out = ByteBuffer.allocateDirect(OUTPUT_BYTES);
  private int inFlight; // guarded by outLock: requests answered off the reader thread
  private boolean broken; // guarded by outLock: a reply could not be sent

  NbdConnection(SocketChannel channel, NbdExport export, NbdWorkers workers) {
    this.channel = channel;
    this.export = export;
    this.workers = workers;
  }

  /** Serves requests until the client disconnects or breaks the protocol. */
  void serve() throws IOException {
    try {
      while (true) {
        fill(REQUEST_HEADER);
        int magic = in.getInt();
        int flags = Short.toUnsignedInt(in.getShort());
        int type = Short.toUnsignedInt(in.getShort());
        long cookie = in.getLong();
        long offset = in.getLong();
        long length = Integer.toUnsignedLong(in.getInt());
        if (magic != REQUEST_MAGIC) {
          LOG.fine(() -> "bad request magic " + Integer.toHexString(magic) + "; disconnecting");
          return;
        }
        switch (type) {
          case CMD_READ -> read(flags, cookie, offset, length);
          case CMD_WRITE -> {
            if (!write(flags, cookie, offset, length)) {
              return;
            }
          }
          case CMD_FLUSH -> flush(flags, cookie);
          case CMD_TRIM -> trim(flags, cookie, offset, length);
          case CMD_WRITE_ZEROES -> writeZeroes(flags, cookie, offset, length);
          case CMD_DISC -> {
            awaitInFlight();
            return;
          }
          default -> reply(cookie, EINVAL);
        }
      }
    } catch (EOFException e) {
      // the client went away
    } finally {
      awaitInFlight();
    }
  }

  private void read(int flags, long cookie, long offset, long length) throws IOException {
    if (flags != 0 || length > MAX_PAYLOAD) {
      reply(cookie, EINVAL);
      return;
    }
    int n = (int) length;
    if (n + SIMPLE_REPLY_HEADER > OUTPUT_BYTES) {
      readLarge(cookie, offset, n);
      return;
    }
    outLock.lock();
    try {
      if (out.remaining() < SIMPLE_REPLY_HEADER + n) {
        sendOutput();
      }
      int header = out.position();
      out.putInt(SIMPLE_REPLY_MAGIC).putInt(0).putLong(cookie);
      try {
        export.read(offset, out.slice(out.position(), n));
        out.position(out.position() + n);
      } catch (StorageException e) {
        out.position(header);
        out.putInt(SIMPLE_REPLY_MAGIC).putInt(errorFor(e, false)).putLong(cookie);
      }
    } finally {
      outLock.unlock();
    }
  }

  private void readLarge(long cookie, long offset, int n) throws IOException {
    if (bigRead == null || bigRead.capacity() < n) {
      bigRead = ByteBuffer.allocateDirect(n);
    }
    ByteBuffer data = bigRead.clear().limit(n);
    try {
      export.read(offset, data);
    } catch (StorageException e) {
      reply(cookie, errorFor(e, false));
      return;
    }
    ByteBuffer header = ByteBuffer.allocate(SIMPLE_REPLY_HEADER);
    header.putInt(SIMPLE_REPLY_MAGIC).putInt(0).putLong(cookie).flip();
    outLock.lock();
    try {
      sendOutput();
      ByteBuffer[] both = {header, data.flip()};
      while (data.hasRemaining()) {
        channel.write(both);
      }
    } finally {
      outLock.unlock();
    }
  }

  /** Returns false when the connection must close (a payload too large to skip safely). */
  private boolean write(int flags, long cookie, long offset, long length) throws IOException {
    if (length > MAX_PAYLOAD) {
      LOG.fine(() -> "write payload of " + length + " bytes exceeds the maximum; disconnecting");
      return false;
    }
    ByteBuffer payload = payload((int) length);
    if ((flags & ~CMD_FLAG_FUA) != 0) {
      reply(cookie, EINVAL);
      return true;
    }
    if (offset < 0) {
      reply(cookie, ENOSPC); // an unsigned offset of 2^63 or more: far past the end
      return true;
    }
    CompletableFuture<Void> stored;
    try {
      stored = export.write(offset, payload);
    } catch (StorageException e) {
      reply(cookie, errorFor(e, true));
      return true;
    }
    complete(cookie, stored, (flags & CMD_FLAG_FUA) != 0);
    return true;
  }

  private void writeZeroes(int flags, long cookie, long offset, long length) throws IOException {
    if ((flags & CMD_FLAG_FAST_ZERO) != 0) {
      reply(cookie, ENOTSUP); // zeroing here is never faster than writing
      return;
    }
    if ((flags & ~(CMD_FLAG_FUA | CMD_FLAG_NO_HOLE)) != 0) {
      reply(cookie, EINVAL);
      return;
    }
    if (offset < 0) {
      reply(cookie, ENOSPC);
      return;
    }
    boolean fua = (flags & CMD_FLAG_FUA) != 0;
    if (length > INLINE_ZERO_BYTES) {
      offload(
          cookie,
          () -> {
            export.writeZeroes(offset, length).join();
            if (fua) {
              export.flush();
            }
          },
          true);
      return;
    }
    CompletableFuture<Void> stored;
    try {
      stored = export.writeZeroes(offset, length);
    } catch (StorageException e) {
      reply(cookie, errorFor(e, true));
      return;
    }
    complete(cookie, stored, fua);
  }

  private void trim(int flags, long cookie, long offset, long length) throws IOException {
    if ((flags & ~CMD_FLAG_FUA) != 0) {
      reply(cookie, EINVAL);
      return;
    }
    try {
      export.trim(offset, length);
      reply(cookie, 0);
    } catch (StorageException e) {
      reply(cookie, errorFor(e, false));
    }
  }

  private void flush(int flags, long cookie) throws IOException {
    if (flags != 0) {
      reply(cookie, EINVAL);
      return;
    }
    offload(cookie, export::flush, false);
  }

  /** Answers a write that is in the cache: now, after remote copy, or after a flush (FUA). */
  private void complete(long cookie, CompletableFuture<Void> stored, boolean fua)
      throws IOException {
    if (fua) {
      offload(
          cookie,
          () -> {
            stored.join();
            export.flush();
          },
          true);
    } else if (stored.isDone() && !stored.isCompletedExceptionally()) {
      reply(cookie, 0);
    } else {
      started();
      stored.whenComplete((ok, failure) -> finish(cookie, failure == null ? 0 : EIO));
    }
  }

  private void offload(long cookie, Runnable task, boolean writing) {
    started();
    workers.submit(
        () -> {
          int error = 0;
          try {
            task.run();
          } catch (StorageException e) {
            error = errorFor(e, writing);
          } catch (RuntimeException e) {
            Throwable cause = e.getCause();
            error = cause instanceof StorageException se ? errorFor(se, writing) : EIO;
          }
          finish(cookie, error);
        });
  }

  private void started() {
    outLock.lock();
    try {
      inFlight++;
    } finally {
      outLock.unlock();
    }
  }

  /** Sends the reply of a request answered off the reader thread, at once. */
  private void finish(long cookie, int error) {
    outLock.lock();
    try {
      try {
        if (!broken) {
          putReply(cookie, error);
          sendOutput();
        }
      } catch (IOException e) {
        broken = true;
      }
      inFlight--;
      if (inFlight == 0) {
        idle.signalAll();
      }
    } finally {
      outLock.unlock();
    }
  }

  /** Queues a reply of the reader thread; it goes out before the reader next blocks. */
  private void reply(long cookie, int error) throws IOException {
    outLock.lock();
    try {
      putReply(cookie, error);
    } finally {
      outLock.unlock();
    }
  }

  private void putReply(long cookie, int error) throws IOException {
    if (out.remaining() < SIMPLE_REPLY_HEADER) {
      sendOutput();
    }
    out.putInt(SIMPLE_REPLY_MAGIC).putInt(error).putLong(cookie);
  }

  private void sendOutput() throws IOException {
    out.flip();
    try {
      while (out.hasRemaining()) {
        channel.write(out);
      }
    } finally {
      out.clear();
    }
  }

  private void sendPendingReplies() throws IOException {
    outLock.lock();
    try {
      if (out.position() > 0) {
        sendOutput();
      }
    } finally {
      outLock.unlock();
    }
  }

  private void awaitInFlight() {
    outLock.lock();
    try {
      if (!broken) {
        sendOutput();
      }
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (inFlight > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !channel.isOpen()) {
          LOG.warning("closing an NBD connection with " + inFlight + " requests unanswered");
          return;
        }
        idle.awaitNanos(left);
      }
    } catch (IOException e) {
      broken = true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      outLock.unlock();
    }
  }

  /** The next {@code n} bytes of input as a buffer of their own, valid until the next request. */
  private ByteBuffer payload(int n) throws IOException {
    if (n <= INPUT_BYTES) {
      fill(n);
      ByteBuffer slice = in.slice(in.position(), n);
      in.position(in.position() + n);
      return slice;
    }
    if (bigPayload == null || bigPayload.capacity() < n) {
      bigPayload = ByteBuffer.allocateDirect(n);
    }
    ByteBuffer data = bigPayload.clear().limit(n);
    int buffered = Math.min(in.remaining(), n);
    data.put(data.position(), in, in.position(), buffered);
    data.position(buffered);
    in.position(in.position() + buffered);
    if (data.hasRemaining()) {
      sendPendingReplies();
    }
    while (data.hasRemaining()) {
      if (channel.read(data) < 0) {
        throw new EOFException();
      }
    }
    return data.flip();
  }

  /** Makes sure {@code n} bytes are buffered; sends pending replies before blocking for more. */
  private void fill(int n) throws IOException {
    if (in.remaining() >= n) {
      return;
    }
    sendPendingReplies();
    in.compact();
    try {
      while (in.position() < n) {
        if (channel.read(in) < 0) {
          throw new EOFException();
        }
      }
    } finally {
      in.flip();
    }
  }

  static void logUnexpected(Throwable e) {
    LOG.log(Level.FINE, "NBD connection ended", e);
  }
}
