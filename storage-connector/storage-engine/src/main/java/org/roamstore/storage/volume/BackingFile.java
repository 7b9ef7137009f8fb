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
}
