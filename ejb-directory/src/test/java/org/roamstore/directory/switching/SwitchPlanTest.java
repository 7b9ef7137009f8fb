package org.roamstore.directory.switching;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.roamstore.storage.api.CopyVolumeGroupInfo;

/** The order and epochs of a switch and its undo, without storage. */
class SwitchPlanTest {
  private static final CopyVolumeGroupInfo GROUP =
      Groups.of("portland", 3, List.of("seattle", "portland", "eugene", "sanfrancisco"));

  @Test
  void theOldPrimaryIsFencedFirstTheOthersInGroupOrderAndTheNewPrimaryLast() {
    SwitchPlan plan =
        SwitchPlan.of(new SwitchRequest(GROUP, "seattle", Set.of(), false, Map.of()), List.of());

    assertEquals("portland", plan.fence());
    assertEquals(List.of("eugene", "sanfrancisco", "seattle"), plan.afterFence());
    assertEquals("seattle", plan.next().primary().address().storageSystem());
    assertEquals(4, plan.next().epoch());
  }

  @Test
  void theNextEpochIsAboveTheDirectorysAndEveryEpochAMemberHolds() {
    assertEquals(4, SwitchPlan.nextEpoch(3, List.of()));
    assertEquals(4, SwitchPlan.nextEpoch(3, List.of(2L, 3L)));
    assertEquals(10, SwitchPlan.nextEpoch(3, List.of(3L, 9L, 5L)));
  }

  @Test
  void whatChangedIsListedInTheOrderTheSwitchChangedIt() {
    SwitchPlan plan =
        SwitchPlan.of(new SwitchRequest(GROUP, "seattle", Set.of(), false, Map.of()), List.of());

    // Members defined at once finish in any order; an undo must still go by the switch's order.
    assertEquals(
        List.of("portland", "sanfrancisco", "seattle"),
        plan.inOrder(List.of("seattle", "portland", "sanfrancisco")));
  }

  @Test
  void anUndoGoesTheOtherWayRoundAtTheEpochAfterTheSwitch() {
    assertEquals(
        List.of("seattle", "sanfrancisco", "eugene", "portland"),
        SwitchPlan.undoOrder(List.of("portland", "eugene", "sanfrancisco", "seattle")));
    assertEquals(5, SwitchPlan.undoEpoch(4));
  }
}
