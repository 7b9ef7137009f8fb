package org.roamstore.storage.replication.batch;

import java.nio.ByteBuffer;

/**
 * One write inside a batch: {@code length} bytes at {@code offset}, either {@code data} or zeros
 * (data null).
 */
public record BatchEntry(long offset, long length, ByteBuffer data) {

  public boolean isZeroes() {
    return data == null;
  }
}
