package org.roamstore.directory.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.access.ReplicationLag;
import org.roamstore.directory.copygroup.FakeStorage;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.api.VerifyRequest;
import org.roamstore.storage.api.VerifyStatus;

/**
 * Starting and following an online verify against the directory's storage double: which copy is
 * asked, how storage's refusals come back, and when a verify counts as over. Data center names
 * differ from storage system names here, so every translation between them is exercised.
 */
class OnlineVerifyTest {
  private static final String VOLUME_ID = "v1";

  private final FakeStorage seattle = new FakeStorage("sea-1");
  private final FakeStorage portland = new FakeStorage("pdx-1");
  private final FakeStorage sanfrancisco = new FakeStorage("sfo-1");
  private final OnlineVerify verify =
      new OnlineVerify(FakeStorage.sites(seattle, portland, sanfrancisco));

  private final OnlineVerify.Group group =
      new OnlineVerify.Group(
          "alice-disk",
          3,
          "seattle",
          "sea-1",
          VOLUME_ID,
          true,
          Map.of("portland", "pdx-1", "sanfrancisco", "sfo-1"));

  private static CopyVolumeGroupInfo primaryAt(String storageSystem, long epoch) {
    return new CopyVolumeGroupInfo(
        "alice-disk",
        TransferType.SYNC,
        epoch,
        List.of("sea-1", "pdx-1", "sfo-1").stream()
            .map(
                s ->
                    new CopyGroupMember(
                        new RealVolumeAddress(s, VOLUME_ID), s.equals(storageSystem)))
            .toList());
  }

  @BeforeEach
  void aGroupWithItsPrimaryAtSeattle() {
    CopyVolumeGroupInfo info = primaryAt("sea-1", 3);
    for (FakeStorage unit : List.of(seattle, portland, sanfrancisco)) {
      unit.sizes.put(VOLUME_ID, 64L << 20);
      unit.groups.put(VOLUME_ID, info);
      unit.remoteCopy = true;
    }
  }

  @Test
  void withoutNamesEverySecondaryInSyncIsVerifiedAtThePrimary() {
    sanfrancisco.setUnreachable(true); // only the primary is asked

    OnlineVerify.Started started = verify.start(group, VerifyOptions.defaults());

    assertEquals(List.of(new VerifyRequest(Set.of(), 0, true)), seattle.verifyRequests);
    assertEquals(
        Set.of("portland", "sanfrancisco"),
        started.followed().stream().map(OnlineVerify.Followed::dataCenter).collect(toSet()));
    assertEquals(Set.of("portland", "sanfrancisco"), started.lags().keySet());
    ReplicationLag.Verify running = started.lags().get("portland").verify();
    assertEquals("RUNNING", running.outcome());
    assertEquals(0, running.percent());
    assertNull(running.finishedAt());
  }

  @Test
  void namedSecondariesAreAskedForByTheirStorageSystemWithTheRateAndRepairGiven() {
    OnlineVerify.Started started =
        verify.start(group, new VerifyOptions(List.of("sanfrancisco"), 50, false));

    assertEquals(List.of(new VerifyRequest(Set.of("sfo-1"), 50, false)), seattle.verifyRequests);
    assertEquals(
        List.of(
            new OnlineVerify.Followed(
                "sanfrancisco", "sfo-1", started.followed().get(0).startedAt())),
        started.followed());
    assertFalse(started.lags().get("sanfrancisco").verify().repair());
  }

  @Test
  void aSecondaryOutOfSyncIsRefusedWithStoragesOwnMessageAndNothingStarts() {
    seattle.secondaryStates.put("pdx-1", CopyGroupStatus.State.OUT_OF_SYNC);

    DirectoryException e =
        assertThrows(
            DirectoryException.class,
            () -> verify.start(group, new VerifyOptions(List.of("portland"), null, null)));

    assertEquals(ErrorCode.VERIFY_REFUSED, e.code());
    assertEquals(ErrorCode.Kind.CONFLICT, e.code().kind());
    assertTrue(e.getMessage().contains("pdx-1 is OUT_OF_SYNC; it needs a resync"), e.getMessage());
    assertTrue(seattle.verifies.isEmpty(), "nothing was started");
  }

  @Test
  void withoutNamesASecondaryOutOfSyncIsLeftOutAndSaidSoWhenNoneIsLeft() {
    seattle.secondaryStates.put("pdx-1", CopyGroupStatus.State.RESYNCING);

    OnlineVerify.Started started = verify.start(group, VerifyOptions.defaults());
    assertEquals(
        List.of("sanfrancisco"),
        started.followed().stream().map(OnlineVerify.Followed::dataCenter).toList());

    seattle.secondaryStates.put("sfo-1", CopyGroupStatus.State.OUT_OF_SYNC);
    seattle.verifies.clear();
    DirectoryException none =
        assertThrows(DirectoryException.class, () -> verify.start(group, VerifyOptions.defaults()));
    assertEquals(ErrorCode.VERIFY_REFUSED, none.code());
    assertTrue(none.getMessage().contains("portland (RESYNCING)"), none.getMessage());
    assertTrue(none.getMessage().contains("sanfrancisco (OUT_OF_SYNC)"), none.getMessage());
  }

  @Test
  void aDataCenterWithoutACopyOrThePrimaryItselfIsBadInputAndStorageIsNotAsked() {
    for (String wrong : List.of("eugene", "seattle")) {
      DirectoryException e =
          assertThrows(
              DirectoryException.class,
              () -> verify.start(group, new VerifyOptions(List.of(wrong), null, null)));
      assertEquals(ErrorCode.VALIDATION_FAILED, e.code(), wrong);
      assertTrue(e.details().containsKey("secondaries"), e.details().toString());
    }
    assertEquals(0, seattle.calls("verify"));
    assertEquals(0, seattle.calls("copyGroupStatus"));
  }

  @Test
  void aVolumeWithOneCopyHasNothingToCompare() {
    OnlineVerify.Group alone =
        new OnlineVerify.Group("solo", 1, "seattle", "sea-1", VOLUME_ID, true, Map.of());
    DirectoryException e =
        assertThrows(DirectoryException.class, () -> verify.start(alone, VerifyOptions.defaults()));
    assertEquals(ErrorCode.VERIFY_REFUSED, e.code());
    assertEquals(0, seattle.calls("verify"));
  }

  @Test
  void aPrimaryDownOrUnreachableIsUnavailableAndOneThatIsNoPrimaryIsInconsistent() {
    OnlineVerify.Group down =
        new OnlineVerify.Group(
            group.volume(), 3, "seattle", "sea-1", VOLUME_ID, false, group.secondaries());
    DirectoryException marked =
        assertThrows(DirectoryException.class, () -> verify.start(down, VerifyOptions.defaults()));
    assertEquals(ErrorCode.SITE_UNAVAILABLE, marked.code());
    assertEquals("seattle", marked.details().get("site"));
    assertEquals(0, seattle.calls("verify"));

    seattle.setUnreachable(true);
    assertEquals(
        ErrorCode.SITE_UNAVAILABLE,
        assertThrows(DirectoryException.class, () -> verify.start(group, VerifyOptions.defaults()))
            .code());
    seattle.setUnreachable(false);

    // The directory thinks Portland holds the primary; Portland answers as a secondary.
    portland.applied = new CopyGroupStatus.Applied(3, 0, 0);
    OnlineVerify.Group stale =
        new OnlineVerify.Group(
            group.volume(),
            3,
            "portland",
            "pdx-1",
            VOLUME_ID,
            true,
            Map.of("seattle", "sea-1", "sanfrancisco", "sfo-1"));
    DirectoryException notPrimary =
        assertThrows(DirectoryException.class, () -> verify.start(stale, VerifyOptions.defaults()));
    assertEquals(ErrorCode.STORAGE_INCONSISTENT, notPrimary.code());
    assertEquals("NOT_PRIMARY", notPrimary.details().get("reason"));
    assertEquals(0, portland.calls("verify"));
  }

  @Test
  void storageWithoutVerifyRefusesWithItsReason() {
    seattle.remoteCopy = false;
    DirectoryException e =
        assertThrows(DirectoryException.class, () -> verify.start(group, VerifyOptions.defaults()));
    assertEquals(ErrorCode.VERIFY_REFUSED, e.code());
    assertEquals("UNSUPPORTED", e.details().get("reason"));
  }

  @Test
  void aVerifyIsOverOnlyWhenEverySecondaryFinishedAndItsResultIsReported() {
    OnlineVerify.Started started = verify.start(group, VerifyOptions.defaults());
    seattle.progressVerify("pdx-1", 16L << 20);

    OnlineVerify.Progress running = verify.follow("sea-1", VOLUME_ID, started.followed());
    assertEquals(
        25,
        assertInstanceOf(OnlineVerify.Running.class, running)
            .lags()
            .get("portland")
            .verify()
            .percent());

    seattle.finishVerify("pdx-1", VerifyStatus.Outcome.NO_DIFFERENCE, List.of());
    assertInstanceOf(
        OnlineVerify.Running.class,
        verify.follow("sea-1", VOLUME_ID, started.followed()),
        "San Francisco still runs");

    seattle.finishVerify("sfo-1", VerifyStatus.Outcome.DIFFERENCES, List.of(0L, 8L << 20));
    OnlineVerify.Finished finished =
        assertInstanceOf(
            OnlineVerify.Finished.class, verify.follow("sea-1", VOLUME_ID, started.followed()));
    assertEquals("DIFFERENCES", finished.outcome());
    Map<String, OnlineVerify.Result> byDc =
        finished.results().stream()
            .collect(java.util.stream.Collectors.toMap(OnlineVerify.Result::dataCenter, r -> r));
    assertEquals("NO_DIFFERENCE", byDc.get("portland").outcome());
    assertFalse(byDc.get("portland").repaired());
    OnlineVerify.Result sf = byDc.get("sanfrancisco");
    assertEquals("DIFFERENCES", sf.outcome());
    assertTrue(sf.repaired(), "repair was asked for (the default)");
    assertEquals(2, sf.verify().differingRegions());
    assertEquals(List.of(0L, 8L << 20), sf.verify().differingOffsets());
  }

  @Test
  void differencesFoundWithoutRepairAreNotCalledRepaired() {
    OnlineVerify.Started started =
        verify.start(group, new VerifyOptions(List.of("portland"), null, false));
    seattle.finishVerify("pdx-1", VerifyStatus.Outcome.DIFFERENCES, List.of(4L << 20));
    OnlineVerify.Finished finished =
        assertInstanceOf(
            OnlineVerify.Finished.class, verify.follow("sea-1", VOLUME_ID, started.followed()));
    assertFalse(finished.results().get(0).repaired());
    assertEquals("DIFFERENCES", finished.outcome());
  }

  @Test
  void aVerifyNoLongerReportedOrAtAPrimaryThatMovedIsInterruptedNeverPassed() {
    OnlineVerify.Started first = verify.start(group, VerifyOptions.defaults());
    seattle.finishVerify("pdx-1", VerifyStatus.Outcome.NO_DIFFERENCE, List.of());
    seattle.finishVerify("sfo-1", VerifyStatus.Outcome.NO_DIFFERENCE, List.of());
    verify.start(group, new VerifyOptions(List.of("portland"), null, null)); // replaces portland's

    OnlineVerify.Finished replaced =
        assertInstanceOf(
            OnlineVerify.Finished.class, verify.follow("sea-1", VOLUME_ID, first.followed()));
    assertEquals("INTERRUPTED", replaced.outcome(), "portland's result is not the first run's");
    OnlineVerify.Result portlandResult =
        replaced.results().stream()
            .filter(r -> r.dataCenter().equals("portland"))
            .findFirst()
            .orElseThrow();
    assertEquals("INTERRUPTED", portlandResult.outcome());
    assertNull(portlandResult.verify());
    assertTrue(portlandResult.detail().contains("no longer reports this verify"));

    // The primary moves to Portland: Seattle is a secondary now and reports no secondaries.
    OnlineVerify.Started second = verify.start(group, VerifyOptions.defaults());
    CopyVolumeGroupInfo moved = primaryAt("pdx-1", 4);
    seattle.groups.put(VOLUME_ID, moved);
    seattle.applied = new CopyGroupStatus.Applied(4, 0, 0);
    OnlineVerify.Finished afterMove =
        assertInstanceOf(
            OnlineVerify.Finished.class, verify.follow("sea-1", VOLUME_ID, second.followed()));
    assertEquals("INTERRUPTED", afterMove.outcome());
    assertTrue(
        afterMove.results().stream().allMatch(r -> r.detail().contains("no longer the primary")),
        afterMove.toString());
  }

  @Test
  void aPrimaryThatDoesNotAnswerLeavesTheVerifyUndecided() {
    OnlineVerify.Started started = verify.start(group, VerifyOptions.defaults());
    seattle.setUnreachable(true);
    assertInstanceOf(
        OnlineVerify.Unanswered.class, verify.follow("sea-1", VOLUME_ID, started.followed()));
  }

  private static <T> java.util.stream.Collector<T, ?, Set<T>> toSet() {
    return java.util.stream.Collectors.toSet();
  }
}
