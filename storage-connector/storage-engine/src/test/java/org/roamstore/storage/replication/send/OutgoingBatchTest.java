package org.roamstore.storage.replication.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.roamstore.storage.replication.batch.BatchEntry;
import org.roamstore.storage.replication.batch.BatchFormat;
import org.roamstore.storage.replication.batch.StreamKey;

class OutgoingBatchTest {
  private static final int MAX = 100 * 1024 + BatchFormat.ENTRY_HEADER_BYTES;

  @Test
  void itsBufferGrowsToTheLimitAndNoFurther() {
    OutgoingBatch batch = new OutgoingBatch(new StreamKey(1, 1), 1, false, MAX);
    int entry = BatchFormat.entryBytes(4096, false);
    long n = 0;
    while (batch.fits(entry, MAX)) {
      batch.add(n * 4096, 4096, ByteBuffer.wrap(new byte[4096]));
      n++;
    }
    assertEquals(MAX / entry, n);
    assertTrue(batch.bodyArray().length <= MAX, "buffer of " + batch.bodyArray().length);
    List<BatchEntry> entries =
        BatchFormat.entries(ByteBuffer.wrap(batch.bodyArray(), 0, batch.sizeBytes()));
    assertEquals(n, entries.size());
    assertEquals((n - 1) * 4096, entries.get(entries.size() - 1).offset());
  }

  @Test
  void anEntryLargerThanTheLimitStillFitsAnEmptyBatch() {
    OutgoingBatch batch = new OutgoingBatch(new StreamKey(1, 1), 7, true, MAX);
    batch.add(0, 2 * MAX, ByteBuffer.wrap(new byte[2 * MAX]));
    assertEquals(7, batch.last);
    assertEquals(BatchFormat.entryBytes(2 * MAX, false), batch.sizeBytes());
  }
}
