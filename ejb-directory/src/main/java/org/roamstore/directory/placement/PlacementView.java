package org.roamstore.directory.placement;

import java.time.Instant;
import java.util.Map;

/**
 * A volume's placement policy and what it sees now, for the admin API and {@code /api/status}.
 *
 * @param recentNearest for the recent logins it counts, how many were nearest to each data center
 *     (most first)
 * @param stayAt the data center the logins were nearest to without a break, since {@code
 *     staySince}; null before a login was noted
 * @param next what it would do at the next login with the same facts, and why; null when off
 */
public record PlacementView(
    String volume,
    String mode,
    Integer maxCopies,
    Integer addAfterLogins,
    Integer addAfterStayMinutes,
    Map<String, Integer> recentNearest,
    String stayAt,
    Instant staySince,
    PlacementDecision next) {}
