package org.roamstore.storage.replication;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real NBD client for crash tests: pipelined writes of 4 KiB to 256 KiB (16 in flight), each 4
 * KiB block tagged with the write that put it there, and a FLUSH every few hundred milliseconds. It
 * records every write, which were acknowledged, and up to which acknowledgement a FLUSH completed,
 * so that after a crash {@link #check} can tell, block by block, whether a volume file holds what
 * the protocol promised. Writes in flight never overlap, so the order of writes to a block is the
 * order they were sent. It stops when the server goes away (the crash) or at its deadline.
 */
public final class TaggedNbdWriter {
  static final int BLOCK = 4096;
  private static final int QUEUE_DEPTH = 16;
  private static final long FLUSH_COOKIE = 1L << 62;

  /** One write as sent: its id (= cookie), range, and its place among the acknowledgements. */
  static final class Write {
    final long id;
    final long offset;
    final int length;
    volatile long ackNumber; // 0 until acknowledged

    Write(long id, long offset, int length) {
      this.id = id;
      this.offset = offset;
      this.length = length;
    }
  }

  private final long volumeBytes;
  private final long seed;
  private final long windowBytes;
  private final List<Write> writes = new ArrayList<>();
  private final Map<Long, Write> inFlight = new HashMap<>();
  private final BitSet busyBlocks = new BitSet();
  private long acks; // acknowledgements so far
  private long flushedAcks; // every write with ackNumber <= this was flushed
  private long flushes;
  private String stoppedBecause;

  /**
   * @param windowBytes writes fall in a window of this size that moves across the volume, so that
   *     regions go cold behind it (0: anywhere)
   */
  public TaggedNbdWriter(long volumeBytes, long seed, long windowBytes) {
    this.volumeBytes = volumeBytes;
    this.seed = seed;
    this.windowBytes = windowBytes <= 0 ? volumeBytes : windowBytes;
  }

  /** Writes to the export until the connection breaks or {@code millis} have passed. */
  public void run(int port, String export, long millis, long flushEveryMillis) throws IOException {
    Random random = new Random(seed);
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      DataInputStream in = new DataInputStream(socket.getInputStream());
      DataOutputStream out =
          new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream(), 1 << 18));
      handshake(in, out, export);
      Thread replies = new Thread(() -> readReplies(in), "tagged-writer-replies");
      replies.setDaemon(true);
      replies.start();
      long start = System.nanoTime();
      long deadline = start + TimeUnit.MILLISECONDS.toNanos(millis);
      long nextFlush = start + TimeUnit.MILLISECONDS.toNanos(flushEveryMillis);
      long id = 0;
      try {
        while (System.nanoTime() < deadline) {
          synchronized (this) {
            while (inFlight.size() >= QUEUE_DEPTH && stoppedBecause == null) {
              wait(100);
            }
            if (stoppedBecause != null) {
              break;
            }
          }
          if (System.nanoTime() >= nextFlush) {
            long covered;
            synchronized (this) {
              covered = acks;
            }
            out.writeInt(0x25609513);
            out.writeShort(0);
            out.writeShort(3); // FLUSH
            out.writeLong(FLUSH_COOKIE | covered);
            out.writeLong(0);
            out.writeInt(0);
            out.flush();
            nextFlush = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(flushEveryMillis);
          }
          Write w = next(++id, random, (System.nanoTime() - start) / 1e9);
          if (w == null) {
            Thread.sleep(1);
            continue;
          }
          out.writeInt(0x25609513);
          out.writeShort(0);
          out.writeShort(1); // WRITE
          out.writeLong(w.id);
          out.writeLong(w.offset);
          out.writeInt(w.length);
          for (long b = w.offset / BLOCK; b < (w.offset + w.length) / BLOCK; b++) {
            out.write(content(w.id, b));
          }
          out.flush();
        }
      } catch (IOException e) {
        stop("sending: " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      stop("done");
    }
  }

  private static void handshake(DataInputStream in, DataOutputStream out, String export)
      throws IOException {
    if (in.readLong() != 0x4e42444d41474943L || in.readLong() != 0x49484156454f5054L) {
      throw new IOException("not an NBD server");
    }
    in.readUnsignedShort();
    out.writeInt(3); // fixed newstyle, no zeroes
    byte[] name = export.getBytes(StandardCharsets.UTF_8);
    out.writeLong(0x49484156454f5054L);
    out.writeInt(7); // GO
    out.writeInt(4 + name.length + 2);
    out.writeInt(name.length);
    out.write(name);
    out.writeShort(0);
    out.flush();
    while (true) {
      in.readLong();
      in.readInt();
      int type = in.readInt();
      byte[] data = new byte[in.readInt()];
      in.readFully(data);
      if (type == 1) {
        return;
      }
      if (type != 3) {
        throw new IOException("export " + export + " refused: reply type " + type);
      }
    }
  }

  /** A write that overlaps none in flight, registered as in flight; null if none was found. */
  private synchronized Write next(long id, Random random, double seconds) {
    long window = Math.min(windowBytes, volumeBytes);
    long windows = volumeBytes / window;
    long base = ((long) (seconds * 2) % windows) * window; // moves every half second
    for (int attempt = 0; attempt < 8; attempt++) {
      int blocks = random.nextInt(4) == 0 ? 1 + random.nextInt(64) : 1;
      long first = base / BLOCK + random.nextLong(window / BLOCK - blocks + 1);
      int busy = busyBlocks.nextSetBit((int) first);
      if (busy >= 0 && busy < first + blocks) {
        continue;
      }
      busyBlocks.set((int) first, (int) (first + blocks));
      Write w = new Write(id, first * BLOCK, blocks * BLOCK);
      writes.add(w);
      inFlight.put(id, w);
      return w;
    }
    return null;
  }

  private void readReplies(DataInputStream in) {
    try {
      while (true) {
        if (in.readInt() != 0x67446698) {
          throw new IOException("bad reply magic");
        }
        int error = in.readInt();
        long cookie = in.readLong();
        synchronized (this) {
          if ((cookie & FLUSH_COOKIE) != 0) {
            if (error == 0) {
              flushedAcks = Math.max(flushedAcks, cookie & ~FLUSH_COOKIE);
              flushes++;
            }
            continue;
          }
          Write w = inFlight.remove(cookie);
          if (w == null) {
            throw new IOException("reply to unknown cookie " + cookie);
          }
          busyBlocks.clear((int) (w.offset / BLOCK), (int) ((w.offset + w.length) / BLOCK));
          if (error == 0) {
            w.ackNumber = ++acks;
          }
          notifyAll();
        }
      }
    } catch (IOException e) {
      stop("replies: " + e);
    }
  }

  private synchronized void stop(String why) {
    if (stoppedBecause == null) {
      stoppedBecause = why;
    }
    notifyAll();
  }

  public synchronized long acknowledged() {
    return acks;
  }

  public synchronized long flushedAcknowledgements() {
    return flushedAcks;
  }

  public synchronized long completedFlushes() {
    return flushes;
  }

  /** The bytes a write puts in one block: its id, the block's number, then seeded noise. */
  static byte[] content(long writeId, long block) {
    byte[] data = new byte[BLOCK];
    ByteBuffer header = ByteBuffer.wrap(data);
    header.putLong(writeId).putLong(block);
    SplittableRandom noise = new SplittableRandom(writeId * 1_000_003L + block);
    for (int i = 16; i < BLOCK; i += 8) {
      long v = noise.nextLong();
      for (int k = 0; k < 8; k++) {
        data[i + k] = (byte) (v >>> (8 * k));
      }
    }
    return data;
  }

  /**
   * Checks a volume file block by block against what was written: a block must hold the last write
   * to it that a completed FLUSH covered, or a write sent after that one (acknowledged or not);
   * never an older write, torn data or zeros where a flushed write was. With {@code acknowledged}
   * the last acknowledged write counts as flushed (SYNC after a takeover: every acknowledged write
   * is at every member). Returns a description of each violation (empty: none).
   */
  public synchronized List<String> check(Path volumeFile, boolean acknowledged) throws IOException {
    long promised = acknowledged ? acks : flushedAcks;
    Map<Long, List<Write>> byBlock = new HashMap<>();
    for (Write w : writes) {
      for (long b = w.offset / BLOCK; b < (w.offset + w.length) / BLOCK; b++) {
        byBlock.computeIfAbsent(b, k -> new ArrayList<>()).add(w);
      }
    }
    List<String> violations = new ArrayList<>();
    try (FileChannel file = FileChannel.open(volumeFile, StandardOpenOption.READ)) {
      ByteBuffer block = ByteBuffer.allocate(BLOCK);
      for (Map.Entry<Long, List<Write>> e : byBlock.entrySet()) {
        long b = e.getKey();
        List<Write> history = e.getValue(); // in the order sent
        int lastPromised = -1;
        for (int i = 0; i < history.size(); i++) {
          long ack = history.get(i).ackNumber;
          if (ack > 0 && ack <= promised) {
            lastPromised = i;
          }
        }
        block.clear();
        while (block.hasRemaining() && file.read(block, b * BLOCK + block.position()) > 0) {}
        byte[] found = block.array();
        long foundId = ByteBuffer.wrap(found).getLong();
        boolean zero = java.util.Arrays.equals(found, new byte[BLOCK]);
        boolean allowed;
        if (zero) {
          allowed = lastPromised < 0;
        } else {
          allowed = false;
          for (int i = Math.max(0, lastPromised); i < history.size(); i++) {
            if (history.get(i).id == foundId
                && java.util.Arrays.equals(found, content(foundId, b))) {
              allowed = true;
            }
          }
        }
        if (!allowed && violations.size() < 20) {
          violations.add(
              "block "
                  + b
                  + " holds "
                  + (zero ? "zeros" : "write " + foundId)
                  + ", but write "
                  + (lastPromised < 0 ? "-" : history.get(lastPromised).id)
                  + " was promised (history "
                  + history.stream().map(w -> w.id + "/" + w.ackNumber).toList()
                  + ")");
        }
      }
    }
    return violations;
  }

  synchronized int writesSent() {
    return writes.size();
  }

  synchronized String stoppedBecause() {
    return stoppedBecause;
  }
}
