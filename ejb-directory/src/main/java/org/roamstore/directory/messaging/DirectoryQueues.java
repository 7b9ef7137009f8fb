package org.roamstore.directory.messaging;

/** Names of the directory's messaging resources, as the runtime's command file creates them. */
public final class DirectoryQueues {
  /** The container connection factory over the Artemis resource adapter (XA, pooled). */
  public static final String CONNECTION_FACTORY = "jms/roamstore";

  /** Physical name of the queue that takes requests from other systems. */
  public static final String REQUESTS = "roamstore.directory.requests";

  private DirectoryQueues() {}
}
