package org.roamstore.storage.nbd;

import static org.roamstore.storage.nbd.NbdProtocol.*;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.roamstore.storage.api.NbdTlsMode;
import org.roamstore.storage.api.StorageException;

/**
 * The fixed-newstyle handshake: option haggling until the client picks an export (GO or
 * EXPORT_NAME) or gives up. Export names are access tokens, so LIST is refused rather than
 * answered. STRUCTURED_REPLY, then SET_META_CONTEXT for {@code base:allocation} and {@code
 * roamstore:replication} (see the package documentation), are remembered for the session; a
 * selection counts only if GO names the same export. The whole handshake has a time limit: the
 * channel is non-blocking meanwhile and every wait for the client is a select bounded by what is
 * left, so a client that connects and stalls (or trickles bytes) is disconnected instead of holding
 * a thread. The TLS handshake after STARTTLS counts against the same limit.
 *
 * <p>TLS follows the protocol's modes: with TLS off, STARTTLS is refused by policy; optional is
 * SELECTIVETLS with no TLS-only export; required is FORCEDTLS, where every option before STARTTLS
 * but ABORT is answered {@code NBD_REP_ERR_TLS_REQD} (EXPORT_NAME, which cannot be answered, closes
 * the connection). A successful STARTTLS forgets what was agreed before it, as the protocol asks.
 */
final class NbdHandshake {
  // Longer than any option this server understands (a 4096-byte name plus info requests).
  private static final int MAX_OPTION_LENGTH = 16 * 1024;

  private final SocketChannel channel;
  private final NbdExportResolver resolver;
  private final NbdTls tls;
  private final Duration timeout;
  private ByteChannel io; // the socket, or TLS over it after STARTTLS
  private NbdTlsChannel secured;
  private boolean noZeroes;
  private boolean structuredReplies;
  private String contextExport; // the export of the last SET_META_CONTEXT that selected one
  private boolean allocationSelected; // what that SET_META_CONTEXT selected
  private boolean replicationSelected;
  private String lastInfoName;
  private Selector selector;
  private SelectionKey key;
  private long deadline;

  NbdHandshake(SocketChannel channel, NbdExportResolver resolver, NbdTls tls, Duration timeout) {
    this.channel = channel;
    this.resolver = resolver;
    this.tls = tls;
    this.timeout = timeout;
    this.io = channel;
  }

  /** The TLS channel the session continues on, or null if the client never asked for TLS. */
  NbdTlsChannel secured() {
    return secured;
  }

  /**
   * The chosen export and what was agreed, or {@code null} if the connection is to be closed; the
   * channel is blocking again when it returns.
   */
  NbdSession negotiate() throws IOException {
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

  private NbdSession haggle() throws IOException {
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
      if (tls.mode() == NbdTlsMode.REQUIRED
          && secured == null
          && option != OPT_STARTTLS
          && option != OPT_ABORT) {
        if (option == OPT_EXPORT_NAME) {
          return null; // it has no error reply: the protocol says close
        }
        error(option, REP_ERR_TLS_REQD, "TLS is required: start it with NBD_OPT_STARTTLS");
        continue;
      }
      switch (option) {
        case OPT_EXPORT_NAME -> {
          String name = decodeName(data, (int) length);
          NbdExport export = usable(name);
          if (export == null) {
            return null; // this option has no error reply: the protocol says close
          }
          ByteBuffer reply = ByteBuffer.allocate(noZeroes ? 10 : 134);
          reply.putLong(export.sizeBytes()).putShort((short) transmissionFlags(structuredReplies));
          writeAll(reply.clear());
          return session(export, name);
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
            return session(export, lastInfoName);
          }
        }
        case OPT_STRUCTURED_REPLY -> {
          if (length != 0) {
            error(option, REP_ERR_INVALID, "STRUCTURED_REPLY takes no data");
          } else {
            structuredReplies = true;
            reply(option, REP_ACK, ByteBuffer.allocate(0));
          }
        }
        case OPT_LIST_META_CONTEXT, OPT_SET_META_CONTEXT -> metaContext(option, data);
        case OPT_STARTTLS -> startTls(length);
        default -> error(option, REP_ERR_UNSUP, "option " + option + " is not supported");
      }
    }
  }

  private void startTls(long length) throws IOException {
    if (length != 0) {
      error(OPT_STARTTLS, REP_ERR_INVALID, "STARTTLS takes no data");
    } else if (secured != null) {
      error(OPT_STARTTLS, REP_ERR_INVALID, "TLS is on already");
    } else if (!tls.mode().offered()) {
      error(OPT_STARTTLS, REP_ERR_POLICY, "this server does not offer TLS");
    } else {
      reply(OPT_STARTTLS, REP_ACK, ByteBuffer.allocate(0));
      NbdTlsChannel upgraded = new NbdTlsChannel(channel, tls.newEngine(), this::await);
      upgraded.handshake();
      secured = upgraded;
      io = upgraded;
      structuredReplies = false;
      contextExport = null;
      lastInfoName = null;
    }
  }

  private NbdSession session(NbdExport export, String name) {
    boolean selected = contextExport != null && contextExport.equals(name);
    return new NbdSession(
        export, structuredReplies, selected && allocationSelected, selected && replicationSelected);
  }

  /**
   * LIST_META_CONTEXT and SET_META_CONTEXT: an export name and queries. Two contexts exist, {@code
   * base:allocation} and {@code roamstore:replication}; no query lists both, and so do the
   * namespaces alone ({@code base:}, {@code roamstore:}) when listing only, as the protocol
   * suggests for an empty leaf. Unknown namespaces and leaves are ignored as the protocol requires;
   * a query without a namespace, or longer than the protocol's strings, is invalid.
   */
  private void metaContext(int option, ByteBuffer data) throws IOException {
    boolean set = option == OPT_SET_META_CONTEXT;
    if (set) {
      contextExport = null; // replaced even if this one fails
    }
    if (!structuredReplies) {
      error(option, REP_ERR_INVALID, "negotiate structured replies first");
      return;
    }
    String name = string(data);
    if (name == null || data.remaining() < 4) {
      error(option, REP_ERR_INVALID, "malformed export name");
      return;
    }
    long count = Integer.toUnsignedLong(data.getInt());
    boolean allocation = count == 0 && !set;
    boolean replication = count == 0 && !set;
    for (long i = 0; i < count; i++) {
      if (data.remaining() >= 4
          && Integer.toUnsignedLong(data.getInt(data.position())) > MAX_STRING) {
        error(option, REP_ERR_INVALID, "query " + i + " is longer than " + MAX_STRING + " bytes");
        return;
      }
      String query = string(data);
      if (query == null) {
        error(option, REP_ERR_INVALID, "malformed query " + i);
        return;
      }
      int colon = query.indexOf(':');
      if (colon <= 0) {
        error(option, REP_ERR_INVALID, "a query starts with a namespace and a colon");
        return;
      }
      allocation |= query.equals(BASE_ALLOCATION) || (!set && query.equals("base:"));
      replication |= query.equals(ROAMSTORE_REPLICATION) || (!set && query.equals("roamstore:"));
    }
    if (data.hasRemaining()) {
      error(option, REP_ERR_INVALID, "data after the last query");
      return;
    }
    if (resolver.find(name) == null) {
      error(option, REP_ERR_UNKNOWN, "unknown or expired export");
      return;
    }
    if (allocation) {
      context(option, BASE_ALLOCATION, set ? ALLOCATION_CONTEXT_ID : 0);
    }
    if (replication) {
      context(option, ROAMSTORE_REPLICATION, set ? REPLICATION_CONTEXT_ID : 0);
    }
    if (set && (allocation || replication)) {
      contextExport = name;
      allocationSelected = allocation;
      replicationSelected = replication;
    }
    reply(option, REP_ACK, ByteBuffer.allocate(0));
  }

  /** One META_CONTEXT reply: the context's id (0 when only listed) and its name. */
  private void context(int option, String name, int id) throws IOException {
    byte[] context = name.getBytes(StandardCharsets.UTF_8);
    ByteBuffer r = ByteBuffer.allocate(4 + context.length);
    reply(option, REP_META_CONTEXT, r.putInt(id).put(context).flip());
  }

  /** A 32-bit length and that many bytes of UTF-8, or null if they do not fit or do not decode. */
  private static String string(ByteBuffer data) {
    if (data.remaining() < 4) {
      return null;
    }
    long length = Integer.toUnsignedLong(data.getInt());
    if (length > data.remaining()) {
      return null;
    }
    return decodeName(data, (int) length);
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
    lastInfoName = name;
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
    exportInfo.putShort((short) transmissionFlags(structuredReplies));
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
      int read = io.read(buffer);
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
      if (io.write(buffer) == 0) {
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
