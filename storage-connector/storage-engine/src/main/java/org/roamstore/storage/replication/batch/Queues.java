package org.roamstore.storage.replication.batch;

import org.roamstore.storage.api.Destinations;

/**
 * The destinations of remote copy. Write data goes to one multicast address, each batch once for
 * all the secondaries it names (see {@link Destinations#REPLICATION_DATA}); each storage system
 * takes its batches through a durable subscription of its own, which holds them while it is away.
 * SYNC batches have an address of their own, subscribed to in the same way; acknowledgements go to
 * a queue per primary.
 *
 * <p>SYNC batches travel apart so that they never wait behind an ASYNC backlog: in one queue they
 * waited behind every ASYNC batch queued before them (up to gigabytes, paged to disk) and behind
 * the secondary's client-side buffer of them. The first batches of a SYNC stream still go with the
 * write data, until the secondary has applied them: a stream starts behind everything sent before
 * it (an older stream of the same group may still be queued there, and a secondary that starts the
 * newer one refuses what is left of the older). See the send and receive processes.
 */
public final class Queues {
  private Queues() {}

  /** The address of write data (a JMS topic). */
  public static String writeData() {
    return Destinations.REPLICATION_DATA;
  }

  /** The address of SYNC batches of streams that their secondaries have started (a JMS topic). */
  public static String syncWriteData() {
    return Destinations.REPLICATION_SYNC;
  }

  /** The shared durable subscription through which {@code storageSystem} takes {@code address}. */
  public static Subscription subscription(String address, String storageSystem) {
    return new Subscription(
        address,
        Destinations.subscription(address, storageSystem),
        Destinations.routeSelector(storageSystem));
  }

  public static String acks(String storageSystem) {
    return Destinations.REPLICATION_ACKS_PREFIX + storageSystem;
  }

  /** A durable subscription: its address (topic), its name, the selector of what it takes. */
  public record Subscription(String address, String name, String selector) {}
}
