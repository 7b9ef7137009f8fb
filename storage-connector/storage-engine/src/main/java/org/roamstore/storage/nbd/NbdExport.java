package org.roamstore.storage.nbd;

import java.nio.ByteBuffer;
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

  CompletableFuture<Void> writeZeroes(long offset, long length);

  /** Checks a discard request; the data may stay as it is. */
  void trim(long offset, long length);

  /** Returns once every acknowledged write is on stable storage. */
  void flush();
}
