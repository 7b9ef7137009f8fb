package org.roamstore.storage.nbd;

import static org.roamstore.storage.nbd.NbdProtocol.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.roamstore.storage.api.StorageException;

/**
 * The replies that carry a volume's contents or layout: READ (read straight into the output
 * buffer), and BLOCK_STATUS. Called on the reader thread after the request is validated.
 *
 * <p>With structured replies a READ is answered in chunks: data, and holes where the volume has
 * them (asked for reads of {@value #SPARSE_READ_BYTES} bytes or more, so small reads cost no
 * allocation lookup), and errors as error chunks. Other requests keep simple replies on success,
 * which the protocol allows; their errors go as error chunks.
 */
final class NbdReadReplies {
  // Reads at least this long look for holes first; shorter ones go out as one data chunk.
  static final int SPARSE_READ_BYTES = 64 * 1024;
  // Data chunks of a fragmentable read are at most this long, so each fits the output buffer.
  private static final int DATA_CHUNK_BYTES = 1 << 20;
  // Extents per block status reply (the protocol suggests at most 2^20); a client asks again
  // from where the reply ends.
  static final int MAX_EXTENTS = 16 * 1024;

  private final NbdExport export;
  private final NbdReplies replies;
  private final ByteBuffer out;
  private final boolean structured;
  private final boolean allocation;
  private final boolean replication;
  private ByteBuffer bigRead; // reused for reads larger than the output buffer

  NbdReadReplies(NbdExport export, NbdReplies replies, NbdSession session) {
    this.export = export;
    this.replies = replies;
    this.out = replies.out;
    this.structured = session.structuredReplies();
    this.allocation = session.allocation();
    this.replication = session.replication();
  }

  /** Answers a READ of {@code n} bytes whose flags and length were checked. */
  void read(long cookie, long offset, int n, boolean dontFragment) throws IOException {
    if (structured) {
      readChunks(cookie, offset, n, dontFragment);
      return;
    }
    if (n + SIMPLE_REPLY_HEADER > NbdReplies.OUTPUT_BYTES) {
      readLarge(cookie, offset, n, false, REPLY_FLAG_DONE);
      return;
    }
    replies.lock.lock();
    try {
      if (out.remaining() < SIMPLE_REPLY_HEADER + n) {
        replies.sendOutput();
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
      replies.lock.unlock();
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
      replies.replyError(cookie, EINVAL, "the read goes past the end of the export");
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
      replies.replyError(cookie, errorFor(e, false), e.getMessage());
      return;
    }
    if (extents.isEmpty()) {
      replies.lock.lock();
      try {
        replies.putChunkHeader(REPLY_FLAG_DONE, REPLY_TYPE_NONE, cookie, 0);
      } finally {
        replies.lock.unlock();
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
        replies.lock.lock();
        try {
          replies.putChunkHeader(
              lastExtent ? REPLY_FLAG_DONE : 0, REPLY_TYPE_OFFSET_HOLE, cookie, 12);
          out.putLong(pos).putInt((int) e.length());
        } finally {
          replies.lock.unlock();
        }
        pos += e.length();
        continue;
      }
      long end = pos + e.length();
      while (pos < end) {
        int piece = dontFragment ? (int) (end - pos) : (int) Math.min(DATA_CHUNK_BYTES, end - pos);
        int done = lastExtent && pos + piece == end ? REPLY_FLAG_DONE : 0;
        boolean ok =
            CHUNK_HEADER + 8 + piece > NbdReplies.OUTPUT_BYTES
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
    replies.lock.lock();
    try {
      if (out.remaining() < CHUNK_HEADER + 8 + n) {
        replies.sendOutput();
      }
      int header = out.position();
      replies.putChunkHeader(flags, REPLY_TYPE_OFFSET_DATA, cookie, 8 + n);
      out.putLong(offset);
      try {
        export.read(offset, out.slice(out.position(), n));
        out.position(out.position() + n);
        return true;
      } catch (StorageException e) {
        out.position(header);
        replies.putError(cookie, errorFor(e, false), e.getMessage(), offset);
        return false;
      }
    } finally {
      replies.lock.unlock();
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
        replies.lock.lock();
        try {
          replies.putError(cookie, errorFor(e, false), e.getMessage(), offset);
        } finally {
          replies.lock.unlock();
        }
      } else {
        replies.reply(cookie, errorFor(e, false));
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
    replies.sendLarge(header, data.flip());
    return true;
  }

  /**
   * BLOCK_STATUS, its flags and length checked: one chunk of extents from {@code offset} per
   * selected context, {@code base:allocation} (holes flagged as holes that read as zeros) before
   * {@code roamstore:replication} (ranges that may not yet be at every secondary), the last marked
   * done. Both are looked up before anything is sent, so a refusal is one error chunk. Past the end
   * is EINVAL, as the protocol asks.
   */
  void blockStatus(int flags, long cookie, long offset, long length) throws IOException {
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
      replies.replyError(cookie, errorFor(e, false), e.getMessage());
      return;
    }
    replies.lock.lock();
    try {
      if (allocation) {
        replies.putChunkHeader(
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
        replies.putChunkHeader(
            REPLY_FLAG_DONE, REPLY_TYPE_BLOCK_STATUS, cookie, 4 + 8 * pending.size());
        out.putInt(REPLICATION_CONTEXT_ID);
        for (NbdExport.ReplicationExtent e : pending) {
          out.putInt((int) e.length()).putInt(e.pending() ? STATE_PENDING : 0);
        }
      }
    } finally {
      replies.lock.unlock();
    }
  }
}
