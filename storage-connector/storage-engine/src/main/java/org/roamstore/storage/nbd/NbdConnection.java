package org.roamstore.storage.nbd;

import static org.roamstore.storage.nbd.NbdProtocol.*;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
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
 *
 * <p>This class reads and checks the requests; the output buffer and its lock are {@link
 * NbdReplies}', the READ and BLOCK_STATUS replies {@link NbdReadReplies}', and the requests
 * answered off the reader thread {@link NbdOffload}'s.
 */
final class NbdConnection {
  private static final Logger LOG = Logger.getLogger(NbdConnection.class.getName());
  private static final int INPUT_BYTES = 256 * 1024;
  // Zeroing more than this goes to a worker so the reader keeps going.
  private static final long INLINE_ZERO_BYTES = 1 << 20;

  // The socket itself, or TLS over it: one class or the other for the whole connection.
  private final ReadableByteChannel input;
  private final NbdExport export;
  private final boolean structured;
  private final boolean allocation;
  private final boolean replication;
  private final ByteBuffer in = ByteBuffer.allocateDirect(INPUT_BYTES).flip();
  private ByteBuffer bigPayload; // reused for writes larger than the input buffer

  private final NbdReplies replies;
  private final NbdReadReplies reads;
  private final NbdOffload offload;

  /** {@code tls}: the TLS channel over {@code channel} after STARTTLS, else null. */
  NbdConnection(SocketChannel channel, NbdTlsChannel tls, NbdSession session, NbdWorkers workers) {
    this.input = tls == null ? channel : tls;
    this.export = session.export();
    this.structured = session.structuredReplies();
    this.allocation = session.allocation();
    this.replication = session.replication();
    this.replies =
        new NbdReplies(channel, tls == null ? channel : tls, session.structuredReplies());
    this.reads = new NbdReadReplies(export, replies, session);
    this.offload = new NbdOffload(export, replies, workers);
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
          case CMD_BLOCK_STATUS -> blockStatus(flags, cookie, offset, length);
          case CMD_DISC -> {
            replies.awaitInFlight();
            return;
          }
          default -> replies.reply(cookie, EINVAL);
        }
      }
    } catch (EOFException e) {
      // the client went away
    } finally {
      replies.awaitInFlight();
    }
  }

  private void read(int flags, long cookie, long offset, long length) throws IOException {
    // FUA means nothing to a read, but the protocol says to accept it wherever FUA is announced.
    int allowed = CMD_FLAG_FUA | (structured ? CMD_FLAG_DF : 0);
    if ((flags & ~allowed) != 0 || length > MAX_PAYLOAD) {
      replies.reply(cookie, EINVAL);
      return;
    }
    reads.read(cookie, offset, (int) length, (flags & CMD_FLAG_DF) != 0);
  }

  /** BLOCK_STATUS: checked here, answered by {@link NbdReadReplies#blockStatus}. */
  private void blockStatus(int flags, long cookie, long offset, long length) throws IOException {
    if (!allocation && !replication) {
      replies.replyError(cookie, EINVAL, "no metadata context was selected for this export");
      return;
    }
    if ((flags & ~(CMD_FLAG_REQ_ONE | CMD_FLAG_FUA)) != 0) {
      replies.replyError(cookie, EINVAL, "unknown flags");
      return;
    }
    if (length == 0) {
      replies.replyError(cookie, EINVAL, "block status of nothing");
      return;
    }
    reads.blockStatus(flags, cookie, offset, length);
  }

  /** Returns false when the connection must close (a payload too large to skip safely). */
  private boolean write(int flags, long cookie, long offset, long length) throws IOException {
    if (length > MAX_PAYLOAD) {
      LOG.fine(() -> "write payload of " + length + " bytes exceeds the maximum; disconnecting");
      return false;
    }
    ByteBuffer payload = payload((int) length);
    if ((flags & ~CMD_FLAG_FUA) != 0) {
      replies.reply(cookie, EINVAL);
      return true;
    }
    if (offset < 0) {
      replies.reply(cookie, ENOSPC); // an unsigned offset of 2^63 or more: far past the end
      return true;
    }
    CompletableFuture<Void> stored;
    try {
      stored = export.write(offset, payload);
    } catch (StorageException e) {
      replies.reply(cookie, errorFor(e, true));
      return true;
    }
    offload.complete(cookie, stored, (flags & CMD_FLAG_FUA) != 0);
    return true;
  }

  private void writeZeroes(int flags, long cookie, long offset, long length) throws IOException {
    if ((flags & ~(CMD_FLAG_FUA | CMD_FLAG_NO_HOLE | CMD_FLAG_FAST_ZERO)) != 0) {
      replies.reply(cookie, EINVAL);
      return;
    }
    boolean noHole = (flags & CMD_FLAG_NO_HOLE) != 0;
    if ((flags & CMD_FLAG_FAST_ZERO) != 0 && (noHole || !export.zeroesAreFast())) {
      // Allocated zeros are written like data: not faster. Say so at once, changing nothing.
      replies.reply(cookie, ENOTSUP);
      return;
    }
    zero(cookie, offset, length, noHole, (flags & CMD_FLAG_FUA) != 0, true);
  }

  /**
   * TRIM zeros the range and punches a hole where it can: the protocol lets a trimmed range read as
   * anything, but every copy of the volume must read the same, so it goes to the secondaries as a
   * zero range like WRITE_ZEROES (they punch too). An error past the end is EINVAL, as for reads.
   */
  private void trim(int flags, long cookie, long offset, long length) throws IOException {
    if ((flags & ~CMD_FLAG_FUA) != 0) {
      replies.reply(cookie, EINVAL);
      return;
    }
    zero(cookie, offset, length, false, (flags & CMD_FLAG_FUA) != 0, false);
  }

  private void zero(
      long cookie, long offset, long length, boolean noHole, boolean fua, boolean writing)
      throws IOException {
    if (offset < 0) {
      replies.reply(cookie, writing ? ENOSPC : EINVAL); // an unsigned offset of 2^63 or more
      return;
    }
    if (length > INLINE_ZERO_BYTES) {
      offload.offload(
          cookie,
          () -> {
            export.writeZeroes(offset, length, noHole).join();
            if (fua) {
              export.flush();
            }
          },
          writing);
      return;
    }
    CompletableFuture<Void> stored;
    try {
      stored = export.writeZeroes(offset, length, noHole);
    } catch (StorageException e) {
      replies.reply(cookie, errorFor(e, writing));
      return;
    }
    offload.complete(cookie, stored, fua);
  }

  private void flush(int flags, long cookie) throws IOException {
    if ((flags & ~CMD_FLAG_FUA) != 0) {
      replies.reply(cookie, EINVAL);
      return;
    }
    offload.offload(cookie, export::flush, false);
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
      replies.sendPendingReplies();
    }
    while (data.hasRemaining()) {
      if (input.read(data) < 0) {
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
    replies.sendPendingReplies();
    in.compact();
    try {
      while (in.position() < n) {
        if (input.read(in) < 0) {
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
