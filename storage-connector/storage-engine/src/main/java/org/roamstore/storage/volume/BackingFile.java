package org.roamstore.storage.volume;

import java.io.IOException;
import java.nio.ByteBuffer;

/** The raw byte range behind a cached volume; the cache is tested against it without a disk. */
public interface BackingFile {

  long sizeBytes();

  /** Fills {@code dst} from {@code position}; bytes past the end of the data read as zeros. */
  void read(ByteBuffer dst, long position) throws IOException;

  /** Writes every remaining byte of {@code srcs}, in order, starting at {@code position}. */
  void write(ByteBuffer[] srcs, long position) throws IOException;

  /** Returns once everything written so far is on stable storage. */
  void force() throws IOException;

  /**
   * Gives the blocks of a range back to the file system; it reads as zeros afterwards, and a {@link
   * #force} makes that durable. Returns false, having changed nothing, if this file cannot (the
   * caller writes zeros instead).
   */
  default boolean punchHole(long position, long length) throws IOException {
    return false;
  }

  /** Whether {@link #punchHole} is expected to work (it was never refused). */
  default boolean canPunchHoles() {
    return false;
  }

  /** The first offset at or after {@code position} that may hold data; the size if none does. */
  default long nextData(long position) throws IOException {
    return Math.min(position, sizeBytes());
  }

  /** The first offset at or after {@code position} known to be a hole; the end counts as one. */
  default long nextHole(long position) throws IOException {
    return sizeBytes();
  }
}
