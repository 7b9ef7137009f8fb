package org.roamstore.storage.nbd;

import static org.roamstore.storage.nbd.NbdProtocol.*;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.roamstore.storage.api.StorageException;

/**
 * The fixed-newstyle handshake: option haggling until the client picks an export (GO or
 * EXPORT_NAME) or gives up. Export names are access tokens, so LIST is refused rather than
 * answered. The whole handshake has a time limit: the channel is non-blocking meanwhile and every
 * wait for the client is a select bounded by what is left, so a client that connects and stalls (or
 * trickles bytes) is disconnected instead of holding a thread.
 */
final class NbdHandshake {
  // Longer than any option this server understands (a 4096-byte name plus info requests).
  private static final int MAX_OPTION_LENGTH = 16 * 1024;

  private final SocketChannel channel;
  private final NbdExportResolver resolver;
  private final Duration timeout;
  private boolean noZeroes;
  private Selector selector;
  private SelectionKey key;
  private long deadline;

  NbdHandshake(SocketChannel channel, NbdExportResolver resolver, Duration timeout) {
    this.channel = channel;
    this.resolver = resolver;
    this.timeout = timeout;
  }

  /**
   * The chosen export, or {@code null} if the connection is to be closed; the channel is blocking
   * again when it returns.
   */
  NbdExport negotiate() throws IOException {
    deadline = System.nanoTime() + timeout.toNanos();
    channel.configureBlocking(false);
    try (Selector s = Selector.open()) {
      selector = s;
      key = channel.register(selector, 0);
      return haggle();
    } finally {
      // Closing the selector deregistered the channel, which may block again.
      channel.configureBlocking(true);
    }
  }

  private NbdExport haggle() throws IOException {
    ByteBuffer hello = ByteBuffer.allocate(18);
    hello
        .putLong(NBDMAGIC)
        .putLong(IHAVEOPT)
        .putShort((short) (FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES));
    writeAll(hello.flip());

    int clientFlags = readFully(4).getInt();
    if ((clientFlags & ~(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES)) != 0
        || (clientFlags & FLAG_FIXED_NEWSTYLE) == 0) {
      return null; // unknown client flags, or a client that cannot speak fixed newstyle
    }
    noZeroes = (clientFlags & FLAG_NO_ZEROES) != 0;

    while (true) {
      ByteBuffer header = readFully(16);
      if (header.getLong() != IHAVEOPT) {
        return null;
      }
      int option = header.getInt();
      long length = Integer.toUnsignedLong(header.getInt());
      if (length > MAX_OPTION_LENGTH) {
        return null; // nothing this long is meaningful; do not read it
      }
      ByteBuffer data = readFully((int) length);
      switch (option) {
        case OPT_EXPORT_NAME -> {
          NbdExport export = usable(decodeName(data, (int) length));
          if (export == null) {
            return null; // this option has no error reply: the protocol says close
          }
          ByteBuffer reply = ByteBuffer.allocate(noZeroes ? 10 : 134);
          reply.putLong(export.sizeBytes()).putShort((short) TRANSMISSION_FLAGS);
          writeAll(reply.clear());
          return export;
        }
        case OPT_ABORT -> {
          reply(option, REP_ACK, ByteBuffer.allocate(0));
          return null;
        }
        case OPT_LIST -> {
          if (length != 0) {
            error(option, REP_ERR_INVALID, "LIST takes no data");
          } else {
            error(option, REP_ERR_POLICY, "export names are access tokens and are not listed");
          }
        }
        case OPT_INFO, OPT_GO -> {
          NbdExport export = info(option, data);
          if (export != null && option == OPT_GO) {
            return export;
          }
        }
        default -> error(option, REP_ERR_UNSUP, "option " + option + " is not supported");
      }
    }
  }

  /** Answers INFO or GO; returns the export when the answer was positive. */
  private NbdExport info(int option, ByteBuffer data) throws IOException {
    if (data.remaining() < 6) {
      error(option, REP_ERR_INVALID, "option data too short");
      return null;
    }
    long nameLength = Integer.toUnsignedLong(data.getInt());
    if (nameLength > data.remaining() - 2) {
      error(option, REP_ERR_INVALID, "export name longer than the option");
      return null;
    }
    String name = decodeName(data, (int) nameLength);
    int requests = Short.toUnsignedInt(data.getShort());
    if (data.remaining() != requests * 2) {
      error(option, REP_ERR_INVALID, "information request count does not match the option length");
      return null;
    }
    boolean wantsName = false;
    for (int i = 0; i < requests; i++) {
      wantsName |= data.getShort() == INFO_NAME;
    }
    if (name == null) {
      error(option, REP_ERR_INVALID, "export name is not valid UTF-8");
      return null;
    }
    NbdExport export = resolver.find(name);
    if (export == null) {
      error(option, REP_ERR_UNKNOWN, "unknown or expired export");
      return null;
    }
    try {
      export.checkUsable();
    } catch (StorageException e) {
      error(option, REP_ERR_POLICY, "export cannot be used: " + e.getMessage());
      return null;
    }
    ByteBuffer exportInfo = ByteBuffer.allocate(12);
    exportInfo.putShort((short) INFO_EXPORT).putLong(export.sizeBytes());
    exportInfo.putShort((short) TRANSMISSION_FLAGS);
    reply(option, REP_INFO, exportInfo.flip());
    // Any offset and length work; say so, and how large a request may be.
    ByteBuffer blockSize = ByteBuffer.allocate(14);
    blockSize.putShort((short) INFO_BLOCK_SIZE).putInt(1).putInt(PREFERRED_BLOCK);
    blockSize.putInt(MAX_PAYLOAD);
    reply(option, REP_INFO, blockSize.flip());
    if (wantsName) {
      byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
      ByteBuffer info = ByteBuffer.allocate(2 + bytes.length);
      reply(option, REP_INFO, info.putShort((short) INFO_NAME).put(bytes).flip());
    }
    reply(option, REP_ACK, ByteBuffer.allocate(0));
    return export;
  }

  private NbdExport usable(String name) {
    NbdExport export = name == null ? null : resolver.find(name);
    if (export == null) {
      return null;
    }
    try {
      export.checkUsable();
      return export;
    } catch (StorageException e) {
      return null;
    }
  }

  private static String decodeName(ByteBuffer data, int length) {
    ByteBuffer bytes = data.slice(data.position(), length);
    data.position(data.position() + length);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private void error(int option, int type, String message) throws IOException {
    reply(option, type, ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
  }

  private void reply(int option, int type, ByteBuffer data) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(20);
    header.putLong(OPTION_REPLY_MAGIC).putInt(option).putInt(type).putInt(data.remaining());
    writeAll(header.flip());
    writeAll(data);
  }

  private ByteBuffer readFully(int n) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(n);
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer);
      if (read < 0) {
        throw new EOFException("client closed during the handshake");
      }
      if (read == 0) {
        await(SelectionKey.OP_READ);
      }
    }
    return buffer.flip();
  }

  private void writeAll(ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      if (channel.write(buffer) == 0) {
        await(SelectionKey.OP_WRITE);
      }
    }
  }

  /** Waits until the client can go on, or throws once the handshake's time is up. */
  private void await(int operation) throws IOException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new SocketTimeoutException(
          "the client did not choose an export within " + timeout.toSeconds() + " s");
    }
    key.interestOps(operation);
    selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
    selector.selectedKeys().clear(); // the caller tries again, and comes back here if it must
  }
}
