package org.roamstore.storage.nbd;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the NBD server reads and writes. Refusals are {@link
 * org.roamstore.storage.api.StorageException}s; the server turns their reasons into NBD errors.
 */
public interface NbdExport {

  long sizeBytes();

  /** Throws if the export may no longer be used (revoked, or its epoch moved on). */
  void checkUsable();

  /** Fills the remaining bytes of {@code dst} from {@code offset}. */
  void read(long offset, ByteBuffer dst);

  /**
   * Stores the remaining bytes of {@code src}; they are in the cache when this returns. The write
   * may be acknowledged when the returned future completes (remote copy may still be running).
   */
  CompletableFuture<Void> write(long offset, ByteBuffer src);

  /**
   * Zeros a range, like {@link #write}. Without {@code noHole} it may give the space back (and does
   * where {@link #zeroesAreFast}); TRIM is this too, so every copy of the volume reads zeros there.
   */
  CompletableFuture<Void> writeZeroes(long offset, long length, boolean noHole);

  /** Whether zeroing without {@code noHole} is faster than writing the zeros (a hole punch). */
  boolean zeroesAreFast();

  /**
   * How a range is allocated, from {@code offset}: at least one and at most {@code maxExtents}
   * consecutive extents, covering the range or a prefix of it.
   */
  List<Extent> allocation(long offset, long length, int maxExtents);

  /**
   * A run of the export: allocated data (which may read as zeros), or a hole that reads as zeros.
   */
  record Extent(long length, boolean hole) {}

  /**
   * Which runs of a range may not yet be at every secondary of the volume, from {@code offset}: at
   * least one and at most {@code maxExtents} consecutive runs, covering the range or a prefix of
   * it, never past it. A superset at region granularity: a run said to be everywhere is.
   */
  List<ReplicationExtent> replication(long offset, long length, int maxExtents);

  /** A run of the export that may not yet be at every secondary ({@code pending}), or is. */
  record ReplicationExtent(long length, boolean pending) {}

  /** Returns once every acknowledged write is on stable storage. */
  void flush();
}
