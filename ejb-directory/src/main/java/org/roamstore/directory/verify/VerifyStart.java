package org.roamstore.directory.verify;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.roamstore.directory.access.ReplicationLag;

/**
 * A verify the directory started: what was asked and, per secondary being compared, what its
 * primary reported right after.
 */
public record VerifyStart(
    String volume,
    String primary,
    long epoch,
    Instant startedAt,
    String requestedBy,
    boolean repair,
    int rateMiBPerSecond,
    Map<String, ReplicationLag.Lag> secondaries) {

  public VerifyStart {
    secondaries = java.util.Collections.unmodifiableMap(new TreeMap<>(secondaries));
  }
}
