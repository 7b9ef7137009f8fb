package org.roamstore.storage.replication;

/**
 * What the engine's messaging loops use of Artemis beyond the Jakarta Messaging API: its two
 * acknowledge modes (ActiveMQJMSConstants), by value, so that the engine speaks the standard API
 * and leaves the Artemis client to the class path. Every other Artemis specific (client windows,
 * large messages, paging) is the broker URL's and the broker's configuration.
 */
public final class ArtemisSessions {
  /**
   * Each message is acknowledged on its own (not with everything the session received before it): a
   * secondary tells the broker a batch is consumed only once a checkpoint after it is done, while
   * it goes on applying the batches behind it.
   */
  public static final int INDIVIDUAL_ACKNOWLEDGE = 101;

  /**
   * Consumed as delivered, no acknowledgement sent back: for acknowledgements to the primary, which
   * the next one overtakes if one is lost.
   */
  public static final int PRE_ACKNOWLEDGE = 100;

  private ArtemisSessions() {}
}
