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

  private final Socket socket;
  final DataInputStream in;
  final DataOutputStream out;
  long exportSize;

  RawNbdClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000); // a hung server fails the test instead of hanging it
    in = new DataInputStream(socket.getInputStream());
    out = new DataOutputStream(socket.getOutputStream());
    assertEquals(0x4e42444d41474943L, in.readLong(), "NBDMAGIC");
    assertEquals(IHAVEOPT, in.readLong(), "IHAVEOPT");
    assertEquals(3, in.readUnsignedShort(), "fixed newstyle, no zeroes");
    out.writeInt(3);
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
      }
      if (r.type() != 3) {
        return r.type();
      }
    }
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
