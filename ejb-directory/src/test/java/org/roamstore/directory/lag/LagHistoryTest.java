package org.roamstore.directory.lag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.access.ReplicationLag;
import org.roamstore.directory.access.SystemStatus;

class LagHistoryTest {
  private final LagHistory history = new LagHistory();

  private static SystemStatus.Member member(String site, boolean primary, ReplicationLag.Lag lag) {
    return new SystemStatus.Member(site, primary, true, false, null, 1L, "seattle", null, lag);
  }

  private static ReplicationLag.Lag lagging(long bytes) {
    return new ReplicationLag.Lag("LAGGING", bytes, 1L, 0.2, 0L, 100, null);
  }

  private static SystemStatus status(int second, String primary, SystemStatus.Member... members) {
    SystemStatus.CopyGroup group =
        new SystemStatus.CopyGroup(
            "v1", "alice", "g1", "ASYNC", 1, primary, 0, null, List.of(members), List.of(), null);
    return new SystemStatus(
        Instant.parse("2026-12-05T10:00:00Z").plusSeconds(second),
        List.of(),
        List.of(),
        List.of(group));
  }

  @Test
  void oneSeriesPerSecondaryAndNoneForThePrimary() {
    LagHistory.Changes changes =
        history.record(
            status(
                0,
                "seattle",
                member("seattle", true, null),
                member("portland", false, lagging(4096))));

    assertEquals(Set.of(new SeriesKey("v1", "portland")), changes.began());
    assertEquals(4096L, history.samples("v1", "portland").get(0).pendingBytes());
    assertEquals(List.of(), history.samples("v1", "seattle"));
  }

  @Test
  void aSecondaryThatBecomesPrimaryEndsItsSeriesAndTheOldPrimaryBeginsOne() {
    history.record(
        status(0, "seattle", member("seattle", true, null), member("portland", false, lagging(1))));
    history.record(
        status(5, "seattle", member("seattle", true, null), member("portland", false, lagging(2))));
    assertEquals(2, history.samples("v1", "portland").size());

    LagHistory.Changes changes =
        history.record(
            status(
                10,
                "portland",
                member("seattle", false, lagging(0)),
                member("portland", true, null)));

    assertEquals(Set.of(new SeriesKey("v1", "seattle")), changes.began());
    assertEquals(Set.of(new SeriesKey("v1", "portland")), changes.ended());
    assertEquals(List.of(), history.samples("v1", "portland"));
    assertTrue(history.latest(new SeriesKey("v1", "portland")).isEmpty());
  }

  @Test
  void unreportedLagIsKeptAsAGapNotAsZero() {
    history.record(
        status(
            0,
            "seattle",
            member("seattle", true, null),
            member("portland", false, ReplicationLag.Lag.NOT_REPORTED)));

    LagSample s = history.samples("v1", "portland").get(0);
    assertNull(s.pendingBytes());
    assertNull(s.state());
  }
}
