package org.roamstore.storage.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A byte-level NBD client for tests, able to send what real clients never would. */
final class RawNbdClient implements AutoCloseable {
  static final long IHAVEOPT = 0x49484156454f5054L;
  static final int REQUEST_MAGIC = 0x25609513;

  record OptionReply(int option, int type, byte[] data) {}

  record Reply(int error, long cookie) {}

  /** One structured reply chunk. */
  record Chunk(int flags, int type, long cookie, byte[] payload) {
    boolean done() {
      return (flags & 1) != 0;
    }

    java.nio.ByteBuffer data() {
      return java.nio.ByteBuffer.wrap(payload);
    }

    /** The error of an error chunk (types with bit 15 set). */
    int error() {
      return data().getInt();
    }
  }

  static final int CHUNK_OFFSET_DATA = 1;
  static final int CHUNK_OFFSET_HOLE = 2;
  static final int CHUNK_BLOCK_STATUS = 5;
  static final int CHUNK_ERROR = 0x8001;
  static final int CHUNK_ERROR_OFFSET = 0x8002;

  private Socket socket;
  DataInputStream in;
  DataOutputStream out;
  long exportSize;
  String protocol; // the TLS version, once TLS is on
  int exportFlags;

  RawNbdClient(int port) throws IOException {
    this(port, 3);
  }

  /** Connects and answers the greeting with {@code clientFlags} (3: fixed newstyle, no zeroes). */
  RawNbdClient(int port, int clientFlags) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000); // a hung server fails the test instead of hanging it
    in = new DataInputStream(socket.getInputStream());
    out = new DataOutputStream(socket.getOutputStream());
    assertEquals(0x4e42444d41474943L, in.readLong(), "NBDMAGIC");
    assertEquals(IHAVEOPT, in.readLong(), "IHAVEOPT");
    assertEquals(3, in.readUnsignedShort(), "fixed newstyle, no zeroes");
    out.writeInt(clientFlags);
  }

  /**
   * Sends STARTTLS; on ACK, runs the TLS handshake (checking the server's certificate against
   * 127.0.0.1) and goes on over TLS. Returns the reply type.
   */
  int startTls(javax.net.ssl.SSLContext context, String... protocols) throws IOException {
    sendOption(5, new byte[0]);
    OptionReply r = readOptionReply();
    if (r.type() != 1) {
      return r.type();
    }
    javax.net.ssl.SSLSocket tls =
        (javax.net.ssl.SSLSocket)
            context.getSocketFactory().createSocket(socket, "127.0.0.1", socket.getPort(), true);
    javax.net.ssl.SSLParameters parameters = tls.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    if (protocols.length > 0) {
      parameters.setProtocols(protocols);
    }
    tls.setSSLParameters(parameters);
    tls.setUseClientMode(true);
    tls.startHandshake();
    socket = tls;
    protocol = tls.getSession().getProtocol();
    in = new DataInputStream(new java.io.BufferedInputStream(tls.getInputStream()));
    out = new DataOutputStream(new java.io.BufferedOutputStream(tls.getOutputStream()));
    return r.type();
  }

  void sendOption(int option, byte[] data) throws IOException {
    out.writeLong(IHAVEOPT);
    out.writeInt(option);
    out.writeInt(data.length);
    out.write(data);
    out.flush();
  }

  OptionReply readOptionReply() throws IOException {
    assertEquals(0x3e889045565a9L, in.readLong(), "option reply magic");
    int option = in.readInt();
    int type = in.readInt();
    byte[] data = new byte[in.readInt()];
    in.readFully(data);
    return new OptionReply(option, type, data);
  }

  static byte[] goData(String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    byte[] data = new byte[4 + n.length + 2];
    data[0] = (byte) (n.length >>> 24);
    data[1] = (byte) (n.length >>> 16);
    data[2] = (byte) (n.length >>> 8);
    data[3] = (byte) n.length;
    System.arraycopy(n, 0, data, 4, n.length);
    return data;
  }

  /** Sends GO; returns the final reply type (1 = ACK), reading the export size on the way. */
  int go(String name) throws IOException {
    sendOption(7, goData(name));
    while (true) {
      OptionReply r = readOptionReply();
      if (r.type() == 3 && r.data()[0] == 0 && r.data()[1] == 0) {
        exportSize = java.nio.ByteBuffer.wrap(r.data(), 2, 8).getLong();
        exportFlags = java.nio.ByteBuffer.wrap(r.data(), 10, 2).getShort() & 0xffff;
      }
      if (r.type() != 3) {
        return r.type();
      }
    }
  }

  /** Negotiates structured replies; fails the test unless they are acknowledged. */
  void structuredReplies() throws IOException {
    sendOption(8, new byte[0]);
    assertEquals(1, readOptionReply().type(), "STRUCTURED_REPLY acknowledged");
  }

  /** Option data of LIST_META_CONTEXT / SET_META_CONTEXT: an export name and queries. */
  static byte[] metaContextData(String export, String... queries) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (DataOutputStream data = new DataOutputStream(bytes)) {
      byte[] name = export.getBytes(StandardCharsets.UTF_8);
      data.writeInt(name.length);
      data.write(name);
      data.writeInt(queries.length);
      for (String q : queries) {
        byte[] query = q.getBytes(StandardCharsets.UTF_8);
        data.writeInt(query.length);
        data.write(query);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Sends a meta context option; returns its replies up to and including the final one. */
  java.util.List<OptionReply> metaContext(int option, byte[] data) throws IOException {
    sendOption(option, data);
    java.util.List<OptionReply> replies = new java.util.ArrayList<>();
    OptionReply r;
    do {
      r = readOptionReply();
      replies.add(r);
    } while (r.type() == 4); // NBD_REP_META_CONTEXT
    return replies;
  }

  Chunk readChunk() throws IOException {
    assertEquals(0x668e33ef, in.readInt(), "structured reply magic");
    int flags = in.readUnsignedShort();
    int type = in.readUnsignedShort();
    long cookie = in.readLong();
    byte[] payload = new byte[in.readInt()];
    in.readFully(payload);
    return new Chunk(flags, type, cookie, payload);
  }

  /** The chunks of one structured reply, up to the one marked done. */
  java.util.List<Chunk> readChunks(long cookie) throws IOException {
    java.util.List<Chunk> chunks = new java.util.ArrayList<>();
    Chunk c;
    do {
      c = readChunk();
      assertEquals(cookie, c.cookie());
      chunks.add(c);
    } while (!c.done());
    return chunks;
  }

  void request(int flags, int type, long cookie, long offset, long length, byte[] payload)
      throws IOException {
    out.writeInt(REQUEST_MAGIC);
    out.writeShort(flags);
    out.writeShort(type);
    out.writeLong(cookie);
    out.writeLong(offset);
    out.writeInt((int) length);
    if (payload != null) {
      out.write(payload);
    }
    out.flush();
  }

  Reply readReply() throws IOException {
    assertEquals(0x67446698, in.readInt(), "simple reply magic");
    return new Reply(in.readInt(), in.readLong());
  }

  byte[] read(long cookie, long offset, int length) throws IOException {
    request(0, 0, cookie, offset, length, null);
    Reply r = readReply();
    assertEquals(0, r.error(), "read error");
    assertEquals(cookie, r.cookie());
    byte[] data = new byte[length];
    in.readFully(data);
    return data;
  }

  int write(long cookie, long offset, byte[] data) throws IOException {
    request(0, 1, cookie, offset, data.length, data);
    Reply r = readReply();
    assertEquals(cookie, r.cookie());
    return r.error();
  }

  /** True if the server closed the connection (rather than timing out). */
  boolean closedByServer() throws IOException {
    try {
      while (in.read() >= 0) {
        // drain whatever was still on its way
      }
      return true;
    } catch (EOFException e) {
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // connection reset
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
