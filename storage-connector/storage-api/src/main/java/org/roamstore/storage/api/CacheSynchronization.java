package org.roamstore.storage.api;

import java.time.Duration;
import java.util.Map;

/**
 * The outcome of a "synchronize cache" request (reference text, Fig. 9 steps 904 and 912): every
 * write the primary had accepted when the request came is applied, and on disk, at each secondary
 * named here.
 *
 * @param groupId the copy group
 * @param sequences per secondary, the last write of the primary's stream to it that is now there
 * @param bytes bytes that were still on their way when the request came
 * @param took how long it took
 */
public record CacheSynchronization(
    String groupId, Map<String, Long> sequences, long bytes, Duration took) {

  public CacheSynchronization {
    sequences = Map.copyOf(sequences);
  }
}
