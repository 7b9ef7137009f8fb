package org.roamstore.storage.replication.batch;

import org.roamstore.storage.api.Destinations;

/**
 * The queue names of remote copy: per storage system, an inbound queue of write data, one of SYNC
 * write data and one of acknowledgements. The prefixes differ in their last segment so that no
 * storage system name can make one site's queue of one kind another site's queue of another kind.
 *
 * <p>SYNC batches have a queue of their own so that they never wait behind an ASYNC backlog: in one
 * queue they waited behind every ASYNC batch queued before them (up to gigabytes, paged to disk)
 * and behind the secondary's client-side buffer of them. The first batches of a SYNC stream still
 * go through the write data queue, until the secondary has applied them: a stream starts behind
 * everything sent before it (an older stream of the same group may still be in that queue, and a
 * secondary that starts the newer one refuses what is left of the older). See the send and receive
 * processes.
 */
public final class Queues {
  private Queues() {}

  public static String writeData(String storageSystem) {
    return Destinations.REPLICATION_DATA_PREFIX + storageSystem;
  }

  /** SYNC batches of a stream that the secondary has started (see the class comment). */
  public static String syncWriteData(String storageSystem) {
    return Destinations.REPLICATION_SYNC_PREFIX + storageSystem;
  }

  public static String acks(String storageSystem) {
    return Destinations.REPLICATION_ACKS_PREFIX + storageSystem;
  }
}
