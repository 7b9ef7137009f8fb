package org.roamstore.directory.lag;

import java.time.Instant;

/**
 * How far one secondary was behind at one moment, as its primary's storage reported it.
 *
 * @param state IN_SYNC, LAGGING, OUT_OF_SYNC or RESYNCING; null when storage reported no lag
 * @param pendingBytes write data not yet applied at the secondary; null when not reported
 * @param seconds estimated time to catch up; null when not reported or unknown
 */
public record LagSample(Instant at, String state, Long pendingBytes, Double seconds) {}
