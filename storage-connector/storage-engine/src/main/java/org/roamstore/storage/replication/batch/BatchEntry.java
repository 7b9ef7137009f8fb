package org.roamstore.storage.replication.batch;

import java.nio.ByteBuffer;

/**
 * One entry of a batch, at {@code offset} for {@code length} bytes: a write of {@code data}, a
 * write of zeros (data null), or, {@code verify}, a request to checksum that range as it stands at
 * this point of the stream and report the digest (an online verify; it writes nothing).
 */
public record BatchEntry(long offset, long length, ByteBuffer data, boolean verify) {

  public BatchEntry(long offset, long length, ByteBuffer data) {
    this(offset, length, data, false);
  }

  public static BatchEntry verify(long offset, long length) {
    return new BatchEntry(offset, length, null, true);
  }

  public boolean isZeroes() {
    return data == null && !verify;
  }

  /** Whether applying it changes the volume. */
  public boolean writes() {
    return !verify && length > 0;
  }
}
