package org.roamstore.directory.messaging;

/**
 * Names of the directory's messaging resources, as the runtime's command file creates them. The
 * broker's queue and topic names are in {@link org.roamstore.storage.api.Destinations}.
 */
public final class DirectoryQueues {
  /** The container connection factory over the Artemis resource adapter (XA, pooled). */
  public static final String CONNECTION_FACTORY = "jms/roamstore";

  private DirectoryQueues() {}
}
