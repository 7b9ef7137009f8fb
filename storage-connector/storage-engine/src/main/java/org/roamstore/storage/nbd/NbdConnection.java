package org.roamstore.storage.nbd;

import static org.roamstore.storage.nbd.NbdProtocol.*;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
 *
 * <p>With structured replies a READ is answered in chunks: data, and holes where the volume has
 * them (asked for reads of {@value #SPARSE_READ_BYTES} bytes or more, so small reads cost no
 * allocation lookup), and errors as error chunks. Other requests keep simple replies on success,
 * which the protocol allows; their errors go as error chunks.
 */
final class NbdConnection {
  private static final Logger LOG = Logger.getLogger(NbdConnection.class.getName());
  private static final int INPUT_BYTES = 256 * 1024;
  private static final int OUTPUT_BYTES = 2 << 20;
  // Zeroing more than this goes to a worker so the reader keeps going.
  private static final long INLINE_ZERO_BYTES = 1 << 20;
  // Reads at least this long look for holes first; shorter ones go out as one data chunk.
  static final int SPARSE_READ_BYTES = 64 * 1024;
  // Data chunks of a fragmentable read are at most this long, so each fits the output buffer.
  private static final int DATA_CHUNK_BYTES = 1 << 20;
  // Extents per block status reply (the protocol suggests at most 2^20); a client asks again
  // from where the reply ends.
  static final int MAX_EXTENTS = 16 * 1024;
  private static final int MAX_ERROR_MESSAGE = 1024;

  private final SocketChannel channel;
  // The socket itself, or TLS over it: one class or the other for the whole connection.
  private final ReadableByteChannel input;
  private final GatheringByteChannel output;
  private final NbdExport export;
  private final boolean structured;
  private final boolean allocation;
  private final boolean replication;
  private final NbdWorkers workers;
  private final ByteBuffer in = ByteBuffer.allocateDirect(INPUT_BYTES).flip();
  private ByteBuffer bigPayload; // reused for writes larger than the input buffer
  private ByteBuffer bigRead; // reused for reads larger than the output buffer

  private final ReentrantLock outLock = new ReentrantLock();
  private final Condition idle = outLock.newCondition();
  private final ByteBuffer out = ByteBuffer.allocateDirect(OUTPUT_BYTES);
  private int inFlight; // guarded by outLock: requests answered off the reader thread
  private boolean broken; // guarded by outLock: a reply could not be sent

  /** {@code tls}: the TLS channel over {@code channel} after STARTTLS, else null. */
  NbdConnection(SocketChannel channel, NbdTlsChannel tls, NbdSession session, NbdWorkers workers) {
    this.channel = channel;
    this.input = tls == null ? channel : tls;
    this.output = tls == null ? channel : tls;
    this.export = session.export();
    this.structured = session.structuredReplies();
    this.allocation = session.allocation();
    this.replication = session.replication();
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
          case CMD_BLOCK_STATUS -> blockStatus(flags, cookie, offset, length);
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
    // FUA means nothing to a read, but the protocol says to accept it wherever FUA is announced.
    int allowed = CMD_FLAG_FUA | (structured ? CMD_FLAG_DF : 0);
    if ((flags & ~allowed) != 0 || length > MAX_PAYLOAD) {
      reply(cookie, EINVAL);
      return;
    }
    int n = (int) length;
    if (structured) {
      readChunks(cookie, offset, n, (flags & CMD_FLAG_DF) != 0);
      return;
    }
    if (n + SIMPLE_REPLY_HEADER > OUTPUT_BYTES) {
      readLarge(cookie, offset, n, false, REPLY_FLAG_DONE);
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

  /**
   * A structured READ reply: holes as OFFSET_HOLE chunks, data as OFFSET_DATA chunks (one only with
   * DF), the last chunk marked done; a failure ends the reply with an error chunk instead.
   */
  private void readChunks(long cookie, long offset, int n, boolean dontFragment)
      throws IOException {
    if (offset < 0 || offset > export.sizeBytes() - n) {
      // A request error, not a failure part way: ERROR, where ERROR_OFFSET would point at a byte.
      replyError(cookie, EINVAL, "the read goes past the end of the export");
      return;
    }
    List<NbdExport.Extent> extents;
    try {
      if (n == 0) {
        export.read(offset, ByteBuffer.allocate(0)); // checks the range and the export
        extents = List.of();
      } else if (dontFragment || n < SPARSE_READ_BYTES) {
        extents = List.of(new NbdExport.Extent(n, false));
      } else {
        extents = export.allocation(offset, n, 64);
      }
    } catch (StorageException e) {
      replyError(cookie, errorFor(e, false), e.getMessage());
      return;
    }
    if (extents.isEmpty()) {
      outLock.lock();
      try {
        putChunkHeader(REPLY_FLAG_DONE, REPLY_TYPE_NONE, cookie, 0);
      } finally {
        outLock.unlock();
      }
      return;
    }
    long covered = 0;
    for (NbdExport.Extent e : extents) {
      covered += e.length();
    }
    List<NbdExport.Extent> all = new ArrayList<>(extents);
    if (covered < n) {
      all.add(new NbdExport.Extent(n - covered, false)); // beyond what was looked up: data
    }
    long pos = offset;
    for (int i = 0; i < all.size(); i++) {
      NbdExport.Extent e = all.get(i);
      boolean lastExtent = i == all.size() - 1;
      if (e.hole()) {
        outLock.lock();
        try {
          putChunkHeader(lastExtent ? REPLY_FLAG_DONE : 0, REPLY_TYPE_OFFSET_HOLE, cookie, 12);
          out.putLong(pos).putInt((int) e.length());
        } finally {
          outLock.unlock();
        }
        pos += e.length();
        continue;
      }
      long end = pos + e.length();
      while (pos < end) {
        int piece = dontFragment ? (int) (end - pos) : (int) Math.min(DATA_CHUNK_BYTES, end - pos);
        int done = lastExtent && pos + piece == end ? REPLY_FLAG_DONE : 0;
        boolean ok =
            CHUNK_HEADER + 8 + piece > OUTPUT_BYTES
                ? readLarge(cookie, pos, piece, true, done)
                : putDataChunk(cookie, pos, piece, done);
        if (!ok) {
          return; // an error chunk ended the reply
        }
        pos += piece;
      }
    }
  }

  /** Puts one OFFSET_DATA chunk in the output buffer; false if an error chunk went instead. */
  private boolean putDataChunk(long cookie, long offset, int n, int flags) throws IOException {
    outLock.lock();
    try {
      if (out.remaining() < CHUNK_HEADER + 8 + n) {
        sendOutput();
      }
      int header = out.position();
      putChunkHeader(flags, REPLY_TYPE_OFFSET_DATA, cookie, 8 + n);
      out.putLong(offset);
      try {
        export.read(offset, out.slice(out.position(), n));
        out.position(out.position() + n);
        return true;
      } catch (StorageException e) {
        out.position(header);
        putError(cookie, errorFor(e, false), e.getMessage(), offset);
        return false;
      }
    } finally {
      outLock.unlock();
    }
  }

  /**
   * A read too large for the output buffer, as one simple reply or one OFFSET_DATA chunk; returns
   * false if an error reply went instead.
   */
  private boolean readLarge(long cookie, long offset, int n, boolean chunk, int flags)
      throws IOException {
    if (bigRead == null || bigRead.capacity() < n) {
      bigRead = ByteBuffer.allocateDirect(n);
    }
    ByteBuffer data = bigRead.clear().limit(n);
    try {
      export.read(offset, data);
    } catch (StorageException e) {
      if (chunk) {
        outLock.lock();
        try {
          putError(cookie, errorFor(e, false), e.getMessage(), offset);
        } finally {
          outLock.unlock();
        }
      } else {
        reply(cookie, errorFor(e, false));
      }
      return false;
    }
    ByteBuffer header = ByteBuffer.allocate(CHUNK_HEADER + 8);
    if (chunk) {
      header.putInt(STRUCTURED_REPLY_MAGIC).putShort((short) flags);
      header.putShort((short) REPLY_TYPE_OFFSET_DATA).putLong(cookie).putInt(8 + n);
      header.putLong(offset);
    } else {
      header.putInt(SIMPLE_REPLY_MAGIC).putInt(0).putLong(cookie);
    }
    header.flip();
    outLock.lock();
    try {
      sendOutput();
      ByteBuffer[] both = {header, data.flip()};
      while (data.hasRemaining()) {
        output.write(both);
      }
    } finally {
      outLock.unlock();
    }
    return true;
  }

  /**
   * BLOCK_STATUS: one chunk of extents from {@code offset} per selected context, {@code
   * base:allocation} (holes flagged as holes that read as zeros) before {@code
   * roamstore:replication} (ranges that may not yet be at every secondary), the last marked done.
   * Both are looked up before anything is sent, so a refusal is one error chunk. Past the end is
   * EINVAL, as the protocol asks.
   */
  private void blockStatus(int flags, long cookie, long offset, long length) throws IOException {
    if (!allocation && !replication) {
      replyError(cookie, EINVAL, "no metadata context was selected for this export");
      return;
    }
    if ((flags & ~(CMD_FLAG_REQ_ONE | CMD_FLAG_FUA)) != 0) {
      replyError(cookie, EINVAL, "unknown flags");
      return;
    }
    if (length == 0) {
      replyError(cookie, EINVAL, "block status of nothing");
      return;
    }
    List<NbdExport.Extent> holes = List.of();
    List<NbdExport.ReplicationExtent> pending = List.of();
    try {
      int max = (flags & CMD_FLAG_REQ_ONE) != 0 ? 1 : MAX_EXTENTS;
      if (allocation) {
        holes = export.allocation(offset, length, max);
      }
      if (replication) {
        pending = export.replication(offset, length, max);
      }
    } catch (StorageException e) {
      replyError(cookie, errorFor(e, false), e.getMessage());
      return;
    }
    outLock.lock();
    try {
      if (allocation) {
        putChunkHeader(
            replication ? 0 : REPLY_FLAG_DONE,
            REPLY_TYPE_BLOCK_STATUS,
            cookie,
            4 + 8 * holes.size());
        out.putInt(ALLOCATION_CONTEXT_ID);
        for (NbdExport.Extent e : holes) {
          out.putInt((int) e.length()).putInt(e.hole() ? STATE_HOLE | STATE_ZERO : 0);
        }
      }
      if (replication) {
        putChunkHeader(REPLY_FLAG_DONE, REPLY_TYPE_BLOCK_STATUS, cookie, 4 + 8 * pending.size());
        out.putInt(REPLICATION_CONTEXT_ID);
        for (NbdExport.ReplicationExtent e : pending) {
          out.putInt((int) e.length()).putInt(e.pending() ? STATE_PENDING : 0);
        }
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
    if ((flags & ~(CMD_FLAG_FUA | CMD_FLAG_NO_HOLE | CMD_FLAG_FAST_ZERO)) != 0) {
      reply(cookie, EINVAL);
      return;
    }
    boolean noHole = (flags & CMD_FLAG_NO_HOLE) != 0;
    if ((flags & CMD_FLAG_FAST_ZERO) != 0 && (noHole || !export.zeroesAreFast())) {
      // Allocated zeros are written like data: not faster. Say so at once, changing nothing.
      reply(cookie, ENOTSUP);
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
      reply(cookie, EINVAL);
      return;
    }
    zero(cookie, offset, length, false, (flags & CMD_FLAG_FUA) != 0, false);
  }

  private void zero(
      long cookie, long offset, long length, boolean noHole, boolean fua, boolean writing)
      throws IOException {
    if (offset < 0) {
      reply(cookie, writing ? ENOSPC : EINVAL); // an unsigned offset of 2^63 or more
      return;
    }
    if (length > INLINE_ZERO_BYTES) {
      offload(
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
      reply(cookie, errorFor(e, writing));
      return;
    }
    complete(cookie, stored, fua);
  }

  private void flush(int flags, long cookie) throws IOException {
    if ((flags & ~CMD_FLAG_FUA) != 0) {
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
    if (error != 0 && structured) {
      putError(cookie, error, null);
      return;
    }
    if (out.remaining() < SIMPLE_REPLY_HEADER) {
      sendOutput();
    }
    out.putInt(SIMPLE_REPLY_MAGIC).putInt(error).putLong(cookie);
  }

  /** Queues an error: an ERROR chunk (with the message) if structured replies were agreed. */
  private void replyError(long cookie, int error, String message) throws IOException {
    outLock.lock();
    try {
      if (structured) {
        putError(cookie, error, message);
      } else {
        putReply(cookie, error);
      }
    } finally {
      outLock.unlock();
    }
  }

  private void putError(long cookie, int error, String message) throws IOException {
    putError(cookie, error, message, -1);
  }

  /**
   * A final error chunk, the lock held: ERROR_OFFSET if {@code offset} (where a read failed) is
   * known, ERROR otherwise.
   */
  private void putError(long cookie, int error, String message, long offset) throws IOException {
    byte[] text = message == null ? new byte[0] : message.getBytes(StandardCharsets.UTF_8);
    int length = Math.min(text.length, MAX_ERROR_MESSAGE);
    if (length < text.length) {
      // Cut on a character boundary: the protocol wants valid UTF-8.
      while (length > 0 && (text[length] & 0xC0) == 0x80) {
        length--;
      }
    }
    boolean at = offset >= 0;
    putChunkHeader(
        REPLY_FLAG_DONE,
        at ? REPLY_TYPE_ERROR_OFFSET : REPLY_TYPE_ERROR,
        cookie,
        6 + length + (at ? 8 : 0));
    out.putInt(error).putShort((short) length).put(text, 0, length);
    if (at) {
      out.putLong(offset);
    }
  }

  /** A chunk header, with room made for {@code length} bytes of payload up to a whole buffer. */
  private void putChunkHeader(int flags, int type, long cookie, int length) throws IOException {
    if (out.remaining() < CHUNK_HEADER + Math.min(length, OUTPUT_BYTES - CHUNK_HEADER)) {
      sendOutput();
    }
    out.putInt(STRUCTURED_REPLY_MAGIC).putShort((short) flags).putShort((short) type);
    out.putLong(cookie).putInt(length);
  }

  private void sendOutput() throws IOException {
    out.flip();
    try {
      while (out.hasRemaining()) {
        output.write(out);
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
    sendPendingReplies();
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
