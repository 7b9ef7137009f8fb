package org.roamstore.directory.switching;

import java.time.Instant;

/**
 * A drain in progress (the old primary shipping its queued write data before a switch), as the
 * status shows it.
 *
 * @param groupId the copy group switching
 * @param from the old primary's storage system
 * @param to the new primary's storage system
 * @param pendingBytesAtStart write data queued for the secondaries when the drain began; null when
 *     storage did not say
 */
public record RunningDrain(
    String groupId, String from, String to, Instant startedAt, Long pendingBytesAtStart) {

  /**
   * How much of what was queued at the start has gone, 0-100, given what is queued now; null when
   * that cannot be told (nothing was reported at the start, or nothing now). Writes accepted during
   * the drain count too, so it may stand still; it never claims more than was shipped.
   */
  public Integer percent(Long pendingBytesNow) {
    if (pendingBytesAtStart == null || pendingBytesNow == null) {
      return null;
    }
    if (pendingBytesAtStart == 0) {
      return pendingBytesNow == 0 ? 100 : 0;
    }
    long shipped = Math.max(0, pendingBytesAtStart - pendingBytesNow);
    return (int) (shipped * 100 / pendingBytesAtStart);
  }

  /**
   * Whether a drain waits for a secondary in this state: not for one out of sync (what it misses
   * moves with the switch). The one place the drain's start and the status count the queued bytes.
   */
  public static boolean waitsFor(String state) {
    return !"OUT_OF_SYNC".equals(state);
  }
}
