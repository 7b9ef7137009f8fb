package org.roamstore.storage.control;

import org.roamstore.storage.api.Names;

/**
 * Queue names of the control path. A site's broker forwards the queues named after another site to
 * that site's broker (core bridges), so requests and replies find their way however the sites are
 * spread over machines.
 */
public final class ControlQueues {
  public static final String REQUEST_PREFIX = "roamstore.control.requests.";
  public static final String REPLY_PREFIX = "roamstore.control.replies.";

  private ControlQueues() {}

  /** Where the control unit of a storage system takes requests. */
  public static String requests(String storageSystem) {
    return REQUEST_PREFIX + Names.require("storage system", storageSystem);
  }

  /** Where the servers of a site (or one JVM, when it names itself) get their answers. */
  public static String replies(String site) {
    return REPLY_PREFIX + Names.require("site", site);
  }
}
