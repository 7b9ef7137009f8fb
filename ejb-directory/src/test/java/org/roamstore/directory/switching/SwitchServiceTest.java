package org.roamstore.directory.switching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.copygroup.FakeStorage;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.TransferType;

class SwitchServiceTest {
  private static final String VOL = "v1";
  private static final Instant OLD_EXPORT_EXPIRES = Instant.parse("2030-01-01T00:00:00Z");

  private final FakeStorage seattle = new FakeStorage("seattle");
  private final FakeStorage portland = new FakeStorage("portland");
  private final FakeStorage sf = new FakeStorage("sanfrancisco");
  private final List<String> drained = Collections.synchronizedList(new ArrayList<>());
  private SwitchService service;
  private CopyVolumeGroupInfo current;

  @BeforeEach
  void threeSitesPortlandPrimary() {
    current = group(TransferType.SYNC, "portland", 3);
    for (FakeStorage unit : List.of(seattle, portland, sf)) {
      unit.sizes.put(VOL, 1L << 20);
      unit.groups.put(VOL, current);
      unit.calls.clear();
    }
    portland.exports.put("old-export", 3L);
    service =
        new SwitchService(
            FakeStorage.sites(seattle, portland, sf),
            (StorageConnection old, CopyVolumeGroupInfo g, String next) ->
                drained.add(old.storageSystem()));
  }

  private static CopyVolumeGroupInfo group(TransferType type, String primary, long epoch) {
    return new CopyVolumeGroupInfo(
        VOL,
        type,
        epoch,
        List.of("seattle", "portland", "sanfrancisco").stream()
            .map(s -> new CopyGroupMember(new RealVolumeAddress(s, VOL), s.equals(primary)))
            .toList());
  }

  private SwitchRequest toSeattle(boolean force, Set<String> down) {
    return new SwitchRequest(
        current, "seattle", down, force, Map.of("old-export", OLD_EXPORT_EXPIRES));
  }

  @Test
  void aSwitchMovesThePrimaryAtEveryMemberUnderTheNextEpoch() {
    CompletedSwitch done = service.switchPrimary(toSeattle(false, Set.of()));

    assertEquals(4, done.epoch());
    for (FakeStorage unit : List.of(seattle, portland, sf)) {
      assertEquals(4, unit.epoch(VOL), unit.system);
      assertEquals("seattle", unit.groups.get(VOL).primary().address().storageSystem());
    }
    assertFalse(portland.exports.containsKey("old-export"), "the old epoch's export died");
    assertTrue(done.skipped().isEmpty());
  }

  @Test
  void anUndoLeavesOutTheOldPrimarysExportsThatEndedMeanwhile() {
    sf.failOn(op -> op.equals("defineCopyGroup"));
    SwitchRequest request =
        new SwitchRequest(
            current,
            "seattle",
            Set.of(),
            false,
            Map.of("old-export", OLD_EXPORT_EXPIRES, "ended", Instant.now().minusSeconds(1)));

    DirectoryException e =
        assertThrows(DirectoryException.class, () -> service.switchPrimary(request));

    assertTrue(e.getMessage().contains("portland stays primary"), e.getMessage());
    assertFalse(e.details().get("undone").contains("NOT restored"), e.details().get("undone"));
    assertEquals(5L, portland.exports.get("old-export"));
    assertFalse(portland.exports.containsKey("ended"), "an export past its end stays gone");
  }

  @Test
  void theOldPrimaryIsFencedFirstAndTheNewPrimaryLearnsLast() {
    assertEquals(
        List.of("portland", "sanfrancisco", "seattle"),
        SwitchPlan.fencingOrder(current, "portland", "seattle"));
  }

  @Test
  void aFailureAtAMemberUndoesEveryChangeAndKeepsTheOldPrimaryWritable() {
    sf.failOn(op -> op.equals("defineCopyGroup"));

    DirectoryException e =
        assertThrows(
            DirectoryException.class, () -> service.switchPrimary(toSeattle(false, Set.of())));

    assertEquals(ErrorCode.SWITCH_FAILED, e.code());
    assertEquals("sanfrancisco", e.details().get("failedAt"));
    assertTrue(e.getMessage().contains("portland stays primary"), e.getMessage());
    // portland was fenced (epoch 4) before sanfrancisco refused; the undo is epoch 5, portland
    // primary
    assertTrue(portland.primaryHere(VOL));
    assertEquals(5, portland.epoch(VOL));
    assertEquals(5L, portland.exports.get("old-export"), "the old users' export works again");
    assertEquals(
        OLD_EXPORT_EXPIRES, portland.exportsExpireAt.get("old-export"), "until it expires");
    assertFalse(seattle.calls.contains("defineCopyGroup"), "seattle was never told");
    assertEquals(3, seattle.epoch(VOL));
    assertEquals(3, sf.epoch(VOL));
  }

  @Test
  void aFailureAtTheNewPrimaryDemotesItAgain() {
    seattle.failOn(op -> op.equals("defineCopyGroup"));

    assertThrows(DirectoryException.class, () -> service.switchPrimary(toSeattle(false, Set.of())));

    assertTrue(portland.primaryHere(VOL));
    assertTrue(sf.groups.get(VOL).primary().address().storageSystem().equals("portland"));
    assertEquals(5, sf.epoch(VOL));
  }

  @Test
  void theNextSwitchAfterAnUndoStartsAboveTheEpochStorageHolds() {
    sf.failOn(op -> op.equals("defineCopyGroup"));
    assertThrows(DirectoryException.class, () -> service.switchPrimary(toSeattle(false, Set.of())));
    sf.failOn(op -> false);

    // the directory still says epoch 3; portland holds 5 after the undo
    CompletedSwitch done = service.switchPrimary(toSeattle(false, Set.of()));

    assertEquals(6, done.epoch());
    assertTrue(seattle.primaryHere(VOL) && sf.epoch(VOL) == 6);
  }

  @Test
  void aMemberAheadOfTheDirectoryLiftsTheNewEpochAboveIt() {
    sf.groups.put(VOL, group(TransferType.SYNC, "portland", 9));

    assertEquals(10, service.switchPrimary(toSeattle(false, Set.of())).epoch());
    assertEquals(10, sf.epoch(VOL));
  }

  @Test
  void aMissingRealVolumeRefusesTheSwitchBeforeAnythingChanges() {
    sf.sizes.remove(VOL);
    sf.groups.remove(VOL);

    DirectoryException e =
        assertThrows(
            DirectoryException.class, () -> service.switchPrimary(toSeattle(false, Set.of())));

    assertEquals(ErrorCode.SWITCH_FAILED, e.code());
    assertEquals("nothing had changed", e.details().get("undone"));
    assertEquals(3, portland.epoch(VOL));
    assertFalse(portland.calls.contains("defineCopyGroup"));
  }

  @Test
  void anUnreachableOldPrimaryRefusesUnlessForced() {
    portland.unreachable = true;

    DirectoryException e =
        assertThrows(
            DirectoryException.class, () -> service.switchPrimary(toSeattle(false, Set.of())));
    assertEquals(ErrorCode.OLD_PRIMARY_UNREACHABLE, e.code());
    assertEquals(3, seattle.epoch(VOL));

    seattle.applied = new CopyGroupStatus.Applied(3, 41, 40);
    CompletedSwitch forced = service.switchPrimary(toSeattle(true, Set.of()));
    assertEquals(4, forced.epoch());
    assertTrue(forced.skipped().containsKey("portland"));
    assertEquals(
        Optional.of(seattle.applied),
        forced.appliedAtNewPrimary(),
        "the new primary said how far it got in the old primary's stream");
    assertTrue(seattle.primaryHere(VOL));
    assertEquals(4, sf.epoch(VOL));
    assertEquals(3, portland.epoch(VOL), "the unreachable old primary was not touched");
  }

  @Test
  void aForcedTakeoverRefusesACopyLessCurrentThanAnotherSurvivorUnlessNamedExplicitly() {
    portland.unreachable = true;
    seattle.applied = new CopyGroupStatus.Applied(2, 41, 40);
    sf.applied = new CopyGroupStatus.Applied(3, 5, 5);

    DirectoryException e =
        assertThrows(
            DirectoryException.class, () -> service.switchPrimary(toSeattle(true, Set.of())));
    assertEquals(ErrorCode.STALE_COPY, e.code());
    assertTrue(e.getMessage().contains("Take over at sanfrancisco"), e.getMessage());
    assertTrue(e.getMessage().contains("seattle has the old primary's write"), e.getMessage());
    assertTrue(e.getMessage().contains("of epoch 2"), e.getMessage());
    assertEquals(3, seattle.epoch(VOL), "nothing changed");
    assertEquals(3, sf.epoch(VOL), "nothing changed");

    CompletedSwitch forced =
        service.switchPrimary(
            new SwitchRequest(current, "seattle", Set.of(), true, Map.of(), true));
    assertEquals(4, forced.epoch());
    assertTrue(forced.moreCurrent().orElseThrow().contains("sanfrancisco"));
    assertTrue(seattle.primaryHere(VOL));
  }

  @Test
  void aForcedTakeoverByTheMostCurrentCopyGoesThroughAfterItCaughtUp() throws Exception {
    portland.unreachable = true;
    seattle.applied = new CopyGroupStatus.Applied(3, 41, 40);
    sf.applied = new CopyGroupStatus.Applied(3, 45, 45);
    // What the broker still held of the dead primary's stream reaches seattle meanwhile.
    Thread catchingUp =
        new Thread(
            () -> {
              try {
                Thread.sleep(100);
              } catch (InterruptedException e) {
                return;
              }
              seattle.applied = new CopyGroupStatus.Applied(3, 60, 60);
            });
    catchingUp.start();

    CompletedSwitch forced = service.switchPrimary(toSeattle(true, Set.of()));
    catchingUp.join();

    assertEquals(Optional.of(new CopyGroupStatus.Applied(3, 60, 60)), forced.appliedAtNewPrimary());
    assertTrue(forced.moreCurrent().isEmpty(), "seattle got furthest once it had caught up");
  }

  @Test
  void afterATakeoverASurvivorThatCannotSayIsResyncedWholeAndOneInTheSameStreamIsNot() {
    portland.unreachable = true;
    seattle.applied = new CopyGroupStatus.Applied(3, 41, 40);
    sf.applied = null; // it cannot say how far it got

    service.switchPrimary(toSeattle(true, Set.of()));
    OutOfSyncRegions given = seattle.inherited.get(VOL);
    assertEquals(Set.of("sanfrancisco"), given.secondaries(), String.valueOf(given));
    assertEquals(1L << 20, given.bytesOf("sanfrancisco"), "the whole (1 MiB) volume");

    // The same takeover with sanfrancisco exactly where seattle is: nothing to resync. Their own
    // stream numbers are a few markers apart; the primary's write number is what is compared.
    threeSitesPortlandPrimary();
    seattle.inherited.clear();
    portland.unreachable = true;
    seattle.applied = new CopyGroupStatus.Applied(3, 41, 40, 1, 500, false);
    sf.applied = new CopyGroupStatus.Applied(3, 39, 39, 1, 500, false);
    service.switchPrimary(toSeattle(true, Set.of()));
    assertEquals(null, seattle.inherited.get(VOL));

    // sanfrancisco a few writes behind in the same stream: it misses them, resynced whole.
    threeSitesPortlandPrimary();
    seattle.inherited.clear();
    portland.unreachable = true;
    seattle.applied = new CopyGroupStatus.Applied(3, 41, 40, 1, 500, false);
    sf.applied = new CopyGroupStatus.Applied(3, 40, 40, 1, 497, false);
    service.switchPrimary(toSeattle(true, Set.of()));
    assertEquals(1L << 20, seattle.inherited.get(VOL).bytesOf("sanfrancisco"));
  }

  @Test
  void aForcedTakeoverRefusesACopyThatMissedWritesOfTheSameStream() {
    // A SYNC secondary paused while the primary went on without it (marked out of sync there),
    // then the primary died: the paused copy has fewer of the primary's writes.
    portland.unreachable = true;
    seattle.applied = new CopyGroupStatus.Applied(3, 900, 900, 2, 1200, false);
    sf.applied = new CopyGroupStatus.Applied(3, 2700, 2690, 2, 2889, false);

    DirectoryException e =
        assertThrows(
            DirectoryException.class, () -> service.switchPrimary(toSeattle(true, Set.of())));
    assertEquals(ErrorCode.STALE_COPY, e.code());
    assertTrue(e.getMessage().contains("Take over at sanfrancisco"), e.getMessage());
    assertTrue(e.getMessage().contains("write 2889 of epoch 3"), e.getMessage());
    assertEquals(3, seattle.epoch(VOL), "nothing changed");

    // A copy being resynced is behind a complete one with as many writes, not ahead of it.
    sf.applied = new CopyGroupStatus.Applied(3, 2700, 2690, 2, 1200, false);
    seattle.applied = new CopyGroupStatus.Applied(3, 900, 900, 2, 1200, true);
    assertEquals(
        ErrorCode.STALE_COPY,
        assertThrows(
                DirectoryException.class, () -> service.switchPrimary(toSeattle(true, Set.of())))
            .code());
  }

  @Test
  void aForcedTakeoverRefusesACopyToldItIsOutOfDateEvenIfNoSurvivorIsAheadOfIt() {
    // Both secondaries missed the SYNC timeout and were told so: the primary acknowledged writes
    // that neither has. The one that got further is still not known whole.
    portland.unreachable = true;
    seattle.applied = new CopyGroupStatus.Applied(3, 900, 900, 2, 1500, true);
    sf.applied = new CopyGroupStatus.Applied(3, 800, 800, 2, 1200, true);

    DirectoryException e =
        assertThrows(
            DirectoryException.class, () -> service.switchPrimary(toSeattle(true, Set.of())));
    assertEquals(ErrorCode.STALE_COPY, e.code());
    assertTrue(e.getMessage().contains("no survivor is known to hold every"), e.getMessage());
    assertTrue(e.getMessage().contains("write 1500 of epoch 3"), e.getMessage());
    assertEquals(3, seattle.epoch(VOL), "nothing changed");

    CompletedSwitch forced =
        service.switchPrimary(
            new SwitchRequest(current, "seattle", Set.of(), true, Map.of(), true));
    assertEquals(4, forced.epoch());
    assertTrue(forced.moreCurrent().orElseThrow().contains("went on without it"));
  }

  @Test
  void aSiteMarkedDownIsNotContacted() {
    DirectoryException e =
        assertThrows(
            DirectoryException.class,
            () -> service.switchPrimary(toSeattle(false, Set.of("sanfrancisco"))));

    assertEquals(ErrorCode.SITE_UNAVAILABLE, e.code());
    assertTrue(sf.calls.isEmpty(), "a down site is not asked anything");
  }

  @Test
  void anUnreachableNewPrimaryRefusesEvenWhenForced() {
    seattle.unreachable = true;

    DirectoryException e =
        assertThrows(
            DirectoryException.class, () -> service.switchPrimary(toSeattle(true, Set.of())));

    assertEquals(ErrorCode.SITE_UNAVAILABLE, e.code());
    assertEquals(3, portland.epoch(VOL));
  }

  @Test
  void anAsyncGroupIsDrainedAtTheOldPrimaryBeforeAnythingChanges() {
    current = group(TransferType.ASYNC, "portland", 3);
    for (FakeStorage unit : List.of(seattle, portland, sf)) {
      unit.groups.put(VOL, current);
    }
    service.switchPrimary(toSeattle(false, Set.of()));
    assertEquals(List.of("portland"), drained);

    drained.clear();
    service.switchPrimary(
        new SwitchRequest(
            group(TransferType.SYNC, "seattle", 4), "portland", Set.of(), false, Map.of()));
    assertTrue(drained.isEmpty(), "a SYNC group has nothing to drain");
  }

  @Test
  void whatTheOldPrimarysSecondariesMissMovesToTheNewPrimaryAndBackOnUndo() {
    BitSet regions = new BitSet();
    regions.set(3);
    regions.set(9);
    portland.outOfSync = new OutOfSyncRegions(1 << 20, Map.of("sanfrancisco", regions));

    CompletedSwitch done = service.switchPrimary(toSeattle(false, Set.of()));

    assertEquals(portland.outOfSync, seattle.inherited.get(VOL));
    assertFalse(sf.inherited.containsKey(VOL), "only the new primary takes them over");
    seattle.outOfSync = seattle.inherited.get(VOL);
    portland.inherited.clear();

    assertTrue(done.undo().complete());
    assertEquals(seattle.outOfSync, portland.inherited.get(VOL), "they go back with the primary");
  }

  @Test
  void aNewPrimaryThatMissesRegionsItselfRefusesAndTheSwitchIsUndone() {
    BitSet regions = new BitSet();
    regions.set(0);
    portland.outOfSync = new OutOfSyncRegions(1 << 20, Map.of("seattle", regions));

    DirectoryException e =
        assertThrows(
            DirectoryException.class, () -> service.switchPrimary(toSeattle(false, Set.of())));

    assertEquals(ErrorCode.SWITCH_FAILED, e.code());
    assertEquals("seattle", e.details().get("failedAt"));
    assertTrue(portland.primaryHere(VOL), "the old primary is primary again");
    assertEquals(5L, portland.exports.get("old-export"));
  }

  @Test
  void anUndoAfterSuccessPutsTheOldPrimaryBack() {
    CompletedSwitch done = service.switchPrimary(toSeattle(false, Set.of()));

    UndoOutcome undo = done.undo();

    assertTrue(undo.complete());
    assertEquals(List.of("seattle", "sanfrancisco", "portland"), undo.restored());
    assertTrue(portland.primaryHere(VOL));
    assertEquals(5, seattle.epoch(VOL));
  }

  @Test
  void withAnExecutorTheMembersAfterTheOldPrimaryLearnAtOnceAndAFailureIsUndoneEverywhere()
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      SwitchService parallel =
          new SwitchService(
              FakeStorage.sites(seattle, portland, sf),
              (StorageConnection old, CopyVolumeGroupInfo g, String next) ->
                  drained.add(old.storageSystem()),
              pool);
      sf.failOn(op -> op.equals("defineCopyGroup"));

      DirectoryException e =
          assertThrows(
              DirectoryException.class, () -> parallel.switchPrimary(toSeattle(false, Set.of())));

      assertEquals(ErrorCode.SWITCH_FAILED, e.code());
      assertEquals("sanfrancisco", e.details().get("failedAt"));
      assertTrue(portland.primaryHere(VOL), "the old primary is primary again");
      assertEquals(5, portland.epoch(VOL));
      assertEquals(5L, portland.exports.get("old-export"), "the old users' export works again");
      assertEquals(
          OLD_EXPORT_EXPIRES, portland.exportsExpireAt.get("old-export"), "until it expires");
      assertFalse(seattle.primaryHere(VOL), "the new primary, if it learned, was demoted");
      assertEquals(3, sf.epoch(VOL));

      sf.failOn(op -> false);
      CompletedSwitch done = parallel.switchPrimary(toSeattle(false, Set.of()));

      assertEquals(6, done.epoch());
      assertEquals(List.of("portland", "sanfrancisco", "seattle"), done.changed());
      for (FakeStorage unit : List.of(seattle, portland, sf)) {
        assertEquals(6, unit.epoch(VOL), unit.system);
        assertEquals("seattle", unit.groups.get(VOL).primary().address().storageSystem());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anAsyncOldPrimaryThatCannotDrainStopsTheSwitchBeforeAnythingChanges() {
    current = group(TransferType.ASYNC, "portland", 3);
    for (FakeStorage unit : List.of(seattle, portland, sf)) {
      unit.groups.put(VOL, current);
    }
    SwitchService failing =
        new SwitchService(
            FakeStorage.sites(seattle, portland, sf),
            (StorageConnection old, CopyVolumeGroupInfo g, String next) -> {
              throw new IllegalStateException("drain timed out");
            });

    DirectoryException e =
        assertThrows(
            DirectoryException.class, () -> failing.switchPrimary(toSeattle(false, Set.of())));

    assertEquals(ErrorCode.SWITCH_FAILED, e.code());
    assertEquals("portland", e.details().get("failedAt"));
    assertEquals("nothing had changed", e.details().get("undone"));
    for (FakeStorage unit : List.of(seattle, portland, sf)) {
      assertFalse(unit.calls.contains("defineCopyGroup"), unit.system);
    }
  }
}
