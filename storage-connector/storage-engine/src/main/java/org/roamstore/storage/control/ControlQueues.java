package org.roamstore.storage.control;

import org.roamstore.storage.api.Destinations;
import org.roamstore.storage.api.Names;

/**
 * Queue names of the control path. A site's broker forwards the queues named after another site to
 * that site's broker (core bridges), so requests and replies find their way however the sites are
 * spread over machines.
 */
public final class ControlQueues {
  private ControlQueues() {}

  /** Where the control unit of a storage system takes requests. */
  public static String requests(String storageSystem) {
    return Destinations.CONTROL_REQUESTS_PREFIX + Names.require("storage system", storageSystem);
  }

  /** Where the servers of a site (or one JVM, when it names itself) get their answers. */
  public static String replies(String site) {
    return Destinations.CONTROL_REPLIES_PREFIX + Names.require("site", site);
  }
}
