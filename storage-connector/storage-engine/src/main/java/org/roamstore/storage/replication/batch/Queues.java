package org.roamstore.storage.replication.batch;

/**
 * The queue names of remote copy: one inbound queue of write data and one of acknowledgements per
 * storage system. The two prefixes differ in their last segment so that no storage system name can
 * make one site's data queue another site's acknowledgement queue.
 */
public final class Queues {
  public static final String DATA_PREFIX = "roamstore.replication.data.";
  public static final String ACK_PREFIX = "roamstore.replication.acks.";

  private Queues() {}

  public static String writeData(String storageSystem) {
    return DATA_PREFIX + storageSystem;
  }

  public static String acks(String storageSystem) {
    return ACK_PREFIX + storageSystem;
  }
}
