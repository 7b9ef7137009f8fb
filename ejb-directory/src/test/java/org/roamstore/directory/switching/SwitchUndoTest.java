package org.roamstore.directory.switching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.copygroup.FakeStorage;
import org.roamstore.storage.api.OutOfSyncRegions;

/** The undo alone, against fake storage units already switched to seattle at epoch 4. */
class SwitchUndoTest {
  private static final String VOL = Groups.VOL;
  private static final Instant EXPIRES = Instant.parse("2030-01-01T00:00:00Z");

  private final FakeStorage seattle = new FakeStorage("seattle");
  private final FakeStorage portland = new FakeStorage("portland");
  private final FakeStorage sf = new FakeStorage("sanfrancisco");
  private final SwitchUndo undo = new SwitchUndo(FakeStorage.sites(seattle, portland, sf));
  private final SwitchRequest request =
      new SwitchRequest(Groups.of("portland", 3), "seattle", Set.of(), false, Map.of("e", EXPIRES));

  @BeforeEach
  void switchedToSeattle() {
    for (FakeStorage unit : List.of(seattle, portland, sf)) {
      unit.sizes.put(VOL, 1L << 20);
      unit.groups.put(VOL, Groups.of("seattle", 4));
    }
  }

  @Test
  void theNewPrimaryIsDemotedFirstAndTheOldPrimaryRestoredLastAtTheNextEpoch() {
    UndoOutcome outcome = undo.undo(request, List.of("portland", "sanfrancisco", "seattle"), 4);

    assertTrue(outcome.complete());
    assertEquals(5, outcome.epoch());
    assertEquals(List.of("seattle", "sanfrancisco", "portland"), outcome.restored());
    for (FakeStorage unit : List.of(seattle, portland, sf)) {
      assertEquals(5, unit.epoch(VOL), unit.system);
    }
    assertTrue(portland.primaryHere(VOL));
    assertEquals(5L, portland.exports.get("e"), "the old primary's export is back at epoch 5");
    assertEquals("restored seattle, sanfrancisco, portland at epoch 5", outcome.describe());
  }

  @Test
  void whatTheNewPrimarysSecondariesMissGoesBackToTheOldPrimaryAlone() {
    BitSet regions = new BitSet();
    regions.set(2);
    seattle.outOfSync = new OutOfSyncRegions(1 << 20, Map.of("sanfrancisco", regions));

    undo.undo(request, List.of("portland", "sanfrancisco", "seattle"), 4);

    assertEquals(seattle.outOfSync, portland.inherited.get(VOL));
    assertFalse(sf.inherited.containsKey(VOL));
  }

  @Test
  void aMemberThatCannotBePutBackIsNamedAndTheOthersAreStillPutBack() {
    sf.failOn(op -> op.equals("defineCopyGroup"));

    UndoOutcome outcome = undo.undo(request, List.of("portland", "sanfrancisco", "seattle"), 4);

    assertFalse(outcome.complete());
    assertEquals(List.of("seattle", "portland"), outcome.restored());
    assertEquals(Set.of("sanfrancisco"), outcome.failures().keySet());
    assertTrue(outcome.describe().contains("NOT restored"), outcome.describe());
    assertTrue(portland.primaryHere(VOL));
  }

  @Test
  void nothingChangedIsNothingToUndo() {
    UndoOutcome outcome = undo.undo(request, List.of(), 4);

    assertTrue(outcome.complete());
    assertEquals("nothing had changed", outcome.describe());
    assertTrue(seattle.calls.isEmpty() && portland.calls.isEmpty() && sf.calls.isEmpty());
  }
}
