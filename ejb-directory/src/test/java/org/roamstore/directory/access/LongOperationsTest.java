package org.roamstore.directory.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.switching.RunningDrain;

class LongOperationsTest {
  private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

  private static SystemStatus.Member secondary(String site, ReplicationLag.Lag lag) {
    return new SystemStatus.Member(site, false, true, false, null, 2L, "seattle", null, lag);
  }

  private static SystemStatus.Member copying(String site, ReplicationLag.Lag lag) {
    return new SystemStatus.Member(site, false, true, true, null, 2L, "seattle", null, lag);
  }

  private static ReplicationLag.Lag lag(String state, long pending, ReplicationLag.Verify v) {
    return new ReplicationLag.Lag(
        state, pending, 1L, 0.1, 0L, state.equals("RESYNCING") ? 40 : 100, v);
  }

  private static ReplicationLag.Verify running(int percent) {
    return new ReplicationLag.Verify(
        "RUNNING", T0, null, percent, 0, 16 << 20, 1 << 20, 0, List.of(), true, null);
  }

  @Test
  void aResyncAndARunningVerifyEachGetAProgressBar() {
    List<SystemStatus.Operation> ops =
        LongOperations.of(
            List.of(
                secondary("portland", lag("RESYNCING", 0, null)),
                secondary("sanfrancisco", lag("IN_SYNC", 0, running(30)))),
            Optional.empty(),
            UnaryOperator.identity());

    assertEquals(
        List.of(
            new SystemStatus.Operation("RESYNC", "portland", null, 40, null),
            new SystemStatus.Operation("VERIFY", "sanfrancisco", null, 30, T0)),
        ops);
  }

  @Test
  void theResyncOfACopyAddedToTheVolumeInUseIsItsInitialCopy() {
    List<SystemStatus.Operation> ops =
        LongOperations.of(
            List.of(
                copying("eugene", lag("RESYNCING", 0, null)),
                copying("boise", lag("IN_SYNC", 0, running(70)))),
            Optional.empty(),
            UnaryOperator.identity());

    assertEquals(
        List.of(
            new SystemStatus.Operation("INITIAL_COPY", "eugene", null, 40, null),
            new SystemStatus.Operation("VERIFY", "boise", null, 70, T0)),
        ops);
  }

  @Test
  void aDrainCountsWhatTheSecondariesItWaitsForStillMiss() {
    RunningDrain drain = new RunningDrain("g1", "seattle", "portland", T0, 1000L);

    List<SystemStatus.Operation> ops =
        LongOperations.of(
            List.of(
                secondary("portland", lag("LAGGING", 200, null)),
                secondary("sanfrancisco", lag("OUT_OF_SYNC", 5000, null))),
            Optional.of(drain),
            s -> s + "-dc");

    assertEquals(
        List.of(new SystemStatus.Operation("DRAIN", "portland-dc", "seattle-dc", 80, T0)), ops);
  }

  @Test
  void nothingRunsWhereStorageReportsNothing() {
    assertEquals(
        List.of(),
        LongOperations.of(
            List.of(secondary("portland", ReplicationLag.Lag.NOT_REPORTED)),
            Optional.empty(),
            UnaryOperator.identity()));
  }
}
