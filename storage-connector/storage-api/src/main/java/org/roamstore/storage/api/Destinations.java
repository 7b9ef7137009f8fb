package org.roamstore.storage.api;

import java.util.List;

/**
 * The names of Roamstore's queues and addresses on the Artemis brokers, defined once for all who
 * send to them, receive from them or configure them: the storage engine, the directory and the
 * broker module (its bridges, address settings and security rules). They live in this jar because
 * it is the smallest one all of these can see: the engine and the directory compile against it
 * already, and the broker module needs nothing else of Roamstore.
 *
 * <p>The per-site names are a prefix followed by a storage system's name (a site's name), and a
 * site's broker forwards the ones named after another site to that site's broker. The prefixes
 * differ in their last segment, so that no storage system name can make one site's queue of one
 * kind another site's queue of another kind.
 */
public final class Destinations {
  /** Every Roamstore address, as an Artemis address match (for settings and security rules). */
  public static final String ALL_MATCH = "roamstore.#";

  /** Every address of remote copy (write data, SYNC write data, acknowledgements), as a match. */
  public static final String REPLICATION_MATCH = "roamstore.replication.#";

  /** Write data for a storage system: the prefix of its inbound queue of batches. */
  public static final String REPLICATION_DATA_PREFIX = "roamstore.replication.data.";

  /** SYNC write data for a storage system, once its stream has started (see the engine). */
  public static final String REPLICATION_SYNC_PREFIX = "roamstore.replication.sync.";

  /** Acknowledgements for a storage system that is primary of some copy group. */
  public static final String REPLICATION_ACKS_PREFIX = "roamstore.replication.acks.";

  /** Control requests for the control unit of a storage system. */
  public static final String CONTROL_REQUESTS_PREFIX = "roamstore.control.requests.";

  /** Replies to control requests, for the servers of a site. */
  public static final String CONTROL_REPLIES_PREFIX = "roamstore.control.replies.";

  /** The prefixes of the queues named after a site, which site brokers forward to that site. */
  public static final List<String> SITE_PREFIXES =
      List.of(
          REPLICATION_DATA_PREFIX,
          REPLICATION_SYNC_PREFIX,
          REPLICATION_ACKS_PREFIX,
          CONTROL_REQUESTS_PREFIX,
          CONTROL_REPLIES_PREFIX);

  /** The queue that takes requests to the directory from other systems (also over AMQP). */
  public static final String DIRECTORY_REQUESTS = "roamstore.directory.requests";

  /** The topic (a multicast address) on which the directory publishes its events. */
  public static final String EVENTS = "roamstore.events";

  private Destinations() {}
}
