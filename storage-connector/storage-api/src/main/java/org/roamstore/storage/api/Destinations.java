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

  /**
   * Write data: one multicast address for every site. A batch goes to it once, however many
   * secondaries take it, naming them in its {@link #ROUTE} property; each site's durable
   * subscription (see {@link #subscription}) takes the batches that name it. So a broker stores a
   * batch for two secondaries once, with a reference in each one's queue.
   */
  public static final String REPLICATION_DATA = "roamstore.replication.data";

  /**
   * SYNC write data, once its stream has started (see the engine): as {@link #REPLICATION_DATA}.
   */
  public static final String REPLICATION_SYNC = "roamstore.replication.sync";

  /** The addresses that carry write data, each with a subscription per site. */
  public static final List<String> WRITE_DATA_ADDRESSES =
      List.of(REPLICATION_DATA, REPLICATION_SYNC);

  /**
   * The property of a write data batch that names the sites it is for: {@code |site:...|} for each
   * (what follows the colon is the engine's, up to the next {@code |}).
   */
  public static final String ROUTE = "rsTo";

  /** Acknowledgements for a storage system that is primary of some copy group. */
  public static final String REPLICATION_ACKS_PREFIX = "roamstore.replication.acks.";

  /** Control requests for the control unit of a storage system. */
  public static final String CONTROL_REQUESTS_PREFIX = "roamstore.control.requests.";

  /** Replies to control requests, for the servers of a site. */
  public static final String CONTROL_REPLIES_PREFIX = "roamstore.control.replies.";

  /**
   * The prefixes of the queues named after a site, which site brokers forward to that site (write
   * data travels by {@link #WRITE_DATA_ADDRESSES} instead).
   */
  public static final List<String> SITE_PREFIXES =
      List.of(REPLICATION_ACKS_PREFIX, CONTROL_REQUESTS_PREFIX, CONTROL_REPLIES_PREFIX);

  /**
   * The name of {@code site}'s durable subscription to a write data address, without dots (Artemis
   * names the subscription's queue after it and would escape them).
   */
  public static String subscription(String address, String site) {
    return address.replace('.', '-') + "-" + site;
  }

  /**
   * What {@code site}'s subscription takes: the batches whose {@link #ROUTE} names it. Site names
   * are letters, digits, '-' and '_' (the one character LIKE would read as a wildcard, so escaped).
   */
  public static String routeSelector(String site) {
    return ROUTE
        + " LIKE '%"
        + routeKey(site).replace("!", "!!").replace("_", "!_").replace("%", "!%")
        + "%' ESCAPE '!'";
  }

  /** How {@code site}'s entry in the {@link #ROUTE} property begins. */
  public static String routeKey(String site) {
    return "|" + site + ":";
  }

  /**
   * {@code site}'s entry of {@code route} (a {@link #ROUTE} value) without the {@code |site:}
   * before it and the {@code |} after it; null if the route does not name the site.
   */
  public static String routeEntry(String route, String site) {
    int start = route == null ? -1 : route.indexOf(routeKey(site));
    if (start < 0) {
      return null;
    }
    start += routeKey(site).length();
    int end = route.indexOf('|', start);
    return end < 0 ? null : route.substring(start, end);
  }

  /** A {@link #ROUTE} value that names {@code site} alone, with {@code entry}. */
  public static String route(String site, String entry) {
    return routeKey(site) + entry + "|";
  }

  /** The queue that takes requests to the directory from other systems (also over AMQP). */
  public static final String DIRECTORY_REQUESTS = "roamstore.directory.requests";

  /** The topic (a multicast address) on which the directory publishes its events. */
  public static final String EVENTS = "roamstore.events";

  private Destinations() {}
}
