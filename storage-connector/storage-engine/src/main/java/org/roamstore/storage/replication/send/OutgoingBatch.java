package org.roamstore.storage.replication.send;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.roamstore.storage.replication.batch.BatchFormat;
import org.roamstore.storage.replication.batch.StreamKey;

/**
 * A batch being filled or waiting to be shipped to one secondary. Its body starts small and grows,
 * so that a batch of a few 4 KiB writes does not cost a megabyte. It remembers the ranges it covers
 * so that, should its secondary go out of sync before it is safely in the broker, they can go into
 * the out-of-sync map instead.
 *
 * <p>A batch of a SYNC stream is <em>retained</em>: it travels as a non-persistent message (no
 * journal write and disk force at the broker on the SYNC write's path) and the primary keeps it
 * until the secondary reports it durable, to send it again if the broker lost it (restart) or to
 * mark its ranges for resync if the secondary goes out of sync meanwhile.
 */
final class OutgoingBatch {
  private static final int INITIAL_BYTES = 64 * 1024;

  final StreamKey stream;
  final long first;
  final boolean retained;
  private final int maxBytes;
  long last;
  // Someone waits until this batch is durable at the secondary (synchronize cache, a FLUSH of a
  // SYNC volume): the secondary checkpoints right after applying it.
  boolean checkpoint;
  // The primary's number of the last write in the stream up to this batch's end (see
  // SecondaryLink.lastWrite), and whether the secondary was still being resynced when it closed.
  long lastWrite;
  boolean resyncing;
  private ByteBuffer body;
  private final BodyPool bodies;
  private long[] ranges = new long[16];
  private int rangeCount;
  long payloadBytes;

  /** {@code maxBytes}: the body's usual limit, which its buffer does not outgrow needlessly. */
  OutgoingBatch(StreamKey stream, long first, boolean retained, int maxBytes) {
    this(stream, first, retained, maxBytes, null);
  }

  /** {@code bodies}: where full-sized bodies come from and go back to once shipped; may be null. */
  OutgoingBatch(StreamKey stream, long first, boolean retained, int maxBytes, BodyPool bodies) {
    this.stream = stream;
    this.first = first;
    this.retained = retained;
    this.maxBytes = maxBytes;
    this.last = first - 1;
    this.bodies = bodies;
  }

  boolean isEmpty() {
    return last < first;
  }

  int sizeBytes() {
    return body == null ? 0 : body.position();
  }

  /**
   * Whether an entry of {@code entryBytes} fits under {@code maxBytes} (an empty batch takes any).
   */
  boolean fits(int entryBytes, int maxBytes) {
    return isEmpty() || sizeBytes() + entryBytes <= maxBytes;
  }

  /** Adds the next write of the stream; returns its sequence. */
  long add(long offset, long length, ByteBuffer data) {
    int need = BatchFormat.entryBytes(length, data == null);
    ensureRoom(need);
    BatchFormat.putEntry(body, offset, length, data);
    if (rangeCount + 2 > ranges.length) {
      ranges = Arrays.copyOf(ranges, ranges.length * 2);
    }
    ranges[rangeCount++] = offset;
    ranges[rangeCount++] = length;
    payloadBytes += length;
    return ++last;
  }

  /** Adds a verify entry (it writes nothing, so it marks no range); returns its sequence. */
  long addVerify(long offset, long length) {
    ensureRoom(BatchFormat.ENTRY_HEADER_BYTES);
    BatchFormat.putVerify(body, offset, length);
    return ++last;
  }

  private void ensureRoom(int need) {
    if (body == null) {
      body = take(Math.max(Math.min(INITIAL_BYTES, maxBytes), need));
    } else if (body.remaining() < need) {
      // Doubling, but not past the limit: a 1 MiB batch of small writes took a 2 MiB buffer, half
      // of it never used and all of it a G1 "humongous" allocation (outside the young generation).
      ByteBuffer bigger =
          take(Math.max(Math.min(body.capacity() * 2, maxBytes), body.position() + need));
      body.flip();
      bigger.put(body);
      body = bigger;
    }
  }

  /** A full-sized body from the pool when one is free. */
  private ByteBuffer take(int capacity) {
    ByteBuffer pooled = bodies == null || capacity > maxBytes ? null : bodies.poll();
    return pooled != null ? pooled : ByteBuffer.allocate(capacity);
  }

  /**
   * The batch is shipped for good (in the broker's journal, or durable at the secondary): its body
   * goes back to the pool, if it is full-sized. Its ranges stay.
   */
  void release() {
    if (bodies != null && body != null && body.capacity() == maxBytes) {
      bodies.giveBack(body);
    }
    body = null;
  }

  /** The batch will never be shipped: its body goes to the heap. Its ranges stay. */
  void discard() {
    body = null;
  }

  byte[] bodyArray() {
    return body == null ? new byte[0] : body.array();
  }

  /** Calls {@code range} with every (offset, length) this batch writes. */
  void forEachRange(RangeConsumer range) {
    for (int i = 0; i < rangeCount; i += 2) {
      range.accept(ranges[i], ranges[i + 1]);
    }
  }

  interface RangeConsumer {
    void accept(long offset, long length);
  }
}
