package org.roamstore.storage.replication;

import java.util.concurrent.CompletionStage;
import org.roamstore.storage.api.CopyVolumeGroupInfo;

/**
 * The write data send process (reference text, 134; Fig. 10 and 11). Called by the write request
 * execution after the data is in the primary's cache, while the copy group cannot change.
 *
 * <p>For a {@code SYNC} group the write is acknowledged only when the returned stage completes,
 * which the sender does once every secondary has stored the data (Fig. 10). For an {@code ASYNC}
 * group the write is acknowledged at once and the stage is ignored; the sender queues the data and
 * ships it in sequence order, several batches in flight (Fig. 11). A failed stage fails the write.
 */
public interface WriteDataSender {

  CompletionStage<Void> send(WriteData write);

  /**
   * Returns once everything handed over for the group has reached every secondary: the "synchronize
   * cache" step before a change of primary (Fig. 9).
   */
  void drain(CopyVolumeGroupInfo group);
}
