package org.roamstore.storage.nbd;

import static org.roamstore.storage.nbd.NbdProtocol.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * The output side of one connection: one buffer of replies under one lock, which the reader thread
 * fills and sends when it has no complete request left, and which requests answered elsewhere
 * (workers, remote copy) send through at once; and the count of those requests still unanswered.
 */
final class NbdReplies {
  // The connection's logger: where its messages have always been configured and looked for.
  private static final Logger LOG = Logger.getLogger(NbdConnection.class.getName());
  static final int OUTPUT_BYTES = 2 << 20;
  private static final int MAX_ERROR_MESSAGE = 1024;

  private final SocketChannel channel;
  // The socket itself, or TLS over it: one class or the other for the whole connection.
  private final GatheringByteChannel output;
  private final boolean structured;

  final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  final ByteBuffer out = ByteBuffer.allocateDirect(OUTPUT_BYTES);
  private int inFlight; // guarded by lock: requests answered off the reader thread
  private boolean broken; // guarded by lock: a reply could not be sent

  NbdReplies(SocketChannel channel, GatheringByteChannel output, boolean structured) {
    this.channel = channel;
    this.output = output;
    this.structured = structured;
  }

  /** Counts a request that will be answered off the reader thread, by {@link #finish}. */
  void started() {
    lock.lock();
    try {
      inFlight++;
    } finally {
      lock.unlock();
    }
  }

  /** Sends the reply of a request answered off the reader thread, at once. */
  void finish(long cookie, int error) {
    lock.lock();
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
      lock.unlock();
    }
  }

  /** Queues a reply of the reader thread; it goes out before the reader next blocks. */
  void reply(long cookie, int error) throws IOException {
    lock.lock();
    try {
      putReply(cookie, error);
    } finally {
      lock.unlock();
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
  void replyError(long cookie, int error, String message) throws IOException {
    lock.lock();
    try {
      if (structured) {
        putError(cookie, error, message);
      } else {
        putReply(cookie, error);
      }
    } finally {
      lock.unlock();
    }
  }

  private void putError(long cookie, int error, String message) throws IOException {
    putError(cookie, error, message, -1);
  }

  /**
   * A final error chunk, the lock held: ERROR_OFFSET if {@code offset} (where a read failed) is
   * known, ERROR otherwise.
   */
  void putError(long cookie, int error, String message, long offset) throws IOException {
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
  void putChunkHeader(int flags, int type, long cookie, int length) throws IOException {
    if (out.remaining() < CHUNK_HEADER + Math.min(length, OUTPUT_BYTES - CHUNK_HEADER)) {
      sendOutput();
    }
    out.putInt(STRUCTURED_REPLY_MAGIC).putShort((short) flags).putShort((short) type);
    out.putLong(cookie).putInt(length);
  }

  /** Sends the queued replies, then {@code header} and {@code data} from their own buffers. */
  void sendLarge(ByteBuffer header, ByteBuffer data) throws IOException {
    lock.lock();
    try {
      sendOutput();
      ByteBuffer[] both = {header, data};
      while (data.hasRemaining()) {
        output.write(both);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Sends the buffer's replies; the lock held. */
  void sendOutput() throws IOException {
    out.flip();
    try {
      while (out.hasRemaining()) {
        output.write(out);
      }
    } finally {
      out.clear();
    }
  }

  void sendPendingReplies() throws IOException {
    lock.lock();
    try {
      if (out.position() > 0) {
        sendOutput();
      }
    } finally {
      lock.unlock();
    }
  }

  void awaitInFlight() {
    lock.lock();
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
      lock.unlock();
    }
  }
}
