package org.roamstore.directory.provisioning;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.provisioning.CopyCheck.Step;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyGroupStatus.SecondaryStatus;
import org.roamstore.storage.api.CopyGroupStatus.State;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.api.VerifyStatus;
import org.roamstore.storage.api.VerifyStatus.Outcome;

class CopyCheckTest {
  private static final Instant STARTED = Instant.parse("2026-12-06T19:00:00Z");
  private static final Optional<Instant> OURS = Optional.of(STARTED);
  private static final Optional<Instant> NONE = Optional.empty();

  private static SecondaryStatus secondary(String system, State state) {
    return secondary(system, state, null);
  }

  private static SecondaryStatus secondary(String system, State state, VerifyStatus verify) {
    return new SecondaryStatus(system, state, 0, 0, -1, 0, 100, verify);
  }

  private static VerifyStatus verify(Outcome outcome, Instant startedAt, long differing) {
    return new VerifyStatus(
        outcome,
        startedAt,
        outcome == Outcome.RUNNING ? null : startedAt.plusSeconds(5),
        1 << 20,
        1 << 20,
        65536,
        differing,
        List.of(),
        true,
        null);
  }

  @Test
  void aCopyIsVerifiedOnlyOnceItsPrimaryReportsItInSync() {
    assertEquals(Step.WAIT, CopyCheck.next(NONE, null));
    assertEquals(Step.WAIT, CopyCheck.next(NONE, secondary("portland", State.RESYNCING)));
    assertEquals(Step.WAIT, CopyCheck.next(NONE, secondary("portland", State.OUT_OF_SYNC)));
    assertEquals(Step.START_VERIFY, CopyCheck.next(NONE, secondary("portland", State.IN_SYNC)));
  }

  @Test
  void aVerifySomeoneElseRunsIsLeftToFinishFirst() {
    SecondaryStatus busy =
        secondary("portland", State.IN_SYNC, verify(Outcome.RUNNING, STARTED.minusSeconds(9), 0));

    assertEquals(Step.WAIT, CopyCheck.next(NONE, busy));
  }

  @Test
  void onlyTheVerifyStartedForTheCopyFindingNoDifferenceCompletesIt() {
    assertEquals(
        Step.WAIT,
        CopyCheck.next(
            OURS, secondary("portland", State.IN_SYNC, verify(Outcome.RUNNING, STARTED, 0))));
    assertEquals(
        Step.COMPLETE,
        CopyCheck.next(
            OURS, secondary("portland", State.IN_SYNC, verify(Outcome.NO_DIFFERENCE, STARTED, 0))));
    // An older verify's clean result says nothing about the copy as it is now.
    assertEquals(
        Step.VERIFY_AGAIN,
        CopyCheck.next(
            OURS,
            secondary(
                "portland",
                State.IN_SYNC,
                verify(Outcome.NO_DIFFERENCE, STARTED.minusSeconds(60), 0))));
  }

  @Test
  void differencesInterruptionsAndFallingOutOfSyncMeanVerifyingAgain() {
    assertEquals(
        Step.VERIFY_AGAIN,
        CopyCheck.next(
            OURS, secondary("portland", State.RESYNCING, verify(Outcome.DIFFERENCES, STARTED, 3))));
    assertEquals(
        Step.VERIFY_AGAIN,
        CopyCheck.next(
            OURS, secondary("portland", State.IN_SYNC, verify(Outcome.INTERRUPTED, STARTED, 0))));
    assertEquals(
        Step.VERIFY_AGAIN,
        CopyCheck.next(
            OURS,
            secondary("portland", State.OUT_OF_SYNC, verify(Outcome.NO_DIFFERENCE, STARTED, 0))));
    assertEquals(Step.VERIFY_AGAIN, CopyCheck.next(OURS, secondary("portland", State.IN_SYNC)));
    assertEquals(Step.VERIFY_AGAIN, CopyCheck.next(OURS, null));
  }

  @Test
  void aUnitThatIsNotThePrimaryReportsNoSecondary() {
    CopyGroupStatus atPrimary =
        new CopyGroupStatus(
            new RealVolumeAddress("seattle", "v1"),
            "v1",
            CopyGroupStatus.Role.PRIMARY,
            1,
            TransferType.ASYNC,
            List.of(secondary("portland", State.IN_SYNC), secondary("eugene", State.RESYNCING)),
            null);
    CopyGroupStatus atSecondary =
        new CopyGroupStatus(
            new RealVolumeAddress("portland", "v1"),
            "v1",
            CopyGroupStatus.Role.SECONDARY,
            1,
            TransferType.ASYNC,
            List.of(),
            new CopyGroupStatus.Applied(1, 5, 5));

    assertEquals(Set.of("portland", "eugene"), InitialCopies.secondaries(atPrimary).keySet());
    assertEquals(Set.of(), InitialCopies.secondaries(atSecondary).keySet());
  }
}
