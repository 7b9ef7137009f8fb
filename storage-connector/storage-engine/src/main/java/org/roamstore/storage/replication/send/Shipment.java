package org.roamstore.storage.replication.send;

import java.util.Arrays;
import org.roamstore.storage.replication.batch.BatchFormat;

/** A batch on its way to one secondary: taken by a send loop, then committed or returned. */
public record Shipment(
    String groupId, String storageSystem, SecondaryLink link, OutgoingBatch batch) {
  public BatchFormat.Header header(String source) {
    return new BatchFormat.Header(
        groupId,
        batch.stream,
        source,
        batch.first,
        batch.last,
        batch.checkpoint,
        batch.lastWrite,
        batch.resyncing);
  }

  public byte[] body() {
    return batch.bodyArray();
  }

  public int bodyLength() {
    return batch.sizeBytes();
  }

  /** ASYNC batches go into the broker's journal; SYNC ones are retained by the primary. */
  public boolean persistent() {
    return !batch.retained;
  }

  /**
   * Whether {@code other}, a batch of the same group for another secondary, holds the same writes
   * under the same header but for its sequences, so that one message can carry both.
   */
  boolean sameBatchAs(Shipment other) {
    OutgoingBatch b = other.batch;
    return groupId.equals(other.groupId)
        && batch.retained == b.retained
        && batch.stream.equals(b.stream)
        && batch.checkpoint == b.checkpoint
        && batch.lastWrite == b.lastWrite
        && batch.resyncing == b.resyncing
        && bodyLength() == other.bodyLength()
        && Arrays.equals(body(), 0, bodyLength(), other.body(), 0, other.bodyLength());
  }
}
