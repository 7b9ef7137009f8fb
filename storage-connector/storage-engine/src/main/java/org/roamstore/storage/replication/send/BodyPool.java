package org.roamstore.storage.replication.send;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Full-sized batch bodies of one copy group, shipped for good and kept for the next batches: a
 * sustained stream fills batches to the limit, and reusing their buffers spares a humongous
 * allocation per megabyte shipped. Used under the group's lock.
 */
final class BodyPool {
  // Bodies kept while the stream is idle; under load, as many as the backlog bound holds.
  static final int IDLE_BODIES = 8;

  private final ArrayDeque<ByteBuffer> bodies = new ArrayDeque<>();
  private int keep = IDLE_BODIES;

  /**
   * Keeps enough bodies for every secondary's full backlog, since a sustained stream keeps that
   * many in flight (fewer, and most bodies would still be garbage).
   */
  void sizeFor(int secondaries, long maxBacklogBytes, int maxBatchBytes) {
    long perSecondary = maxBacklogBytes / maxBatchBytes + 1;
    keep = (int) Math.min(1024, Math.max(IDLE_BODIES, perSecondary * secondaries));
  }

  /** A kept body, cleared; null if none is free. */
  ByteBuffer poll() {
    ByteBuffer b = bodies.poll();
    return b == null ? null : b.clear();
  }

  /** Takes back a body shipped for good, if there is room. */
  void giveBack(ByteBuffer body) {
    if (bodies.size() < keep) {
      bodies.push(body);
    }
  }

  /** Gives back to the heap the bodies kept for a load that has passed. */
  void trim() {
    while (bodies.size() > IDLE_BODIES) {
      bodies.poll();
    }
  }
}
