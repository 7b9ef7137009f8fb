package org.roamstore.directory.switching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RunningDrainTest {
  private static RunningDrain startedWith(Long bytes) {
    return new RunningDrain("g1", "seattle", "portland", Instant.now(), bytes);
  }

  @Test
  void progressIsWhatLeftOfTheBacklogAtTheStart() {
    assertEquals(0, startedWith(1000L).percent(1000L));
    assertEquals(75, startedWith(1000L).percent(250L));
    assertEquals(100, startedWith(1000L).percent(0L));
  }

  @Test
  void writesAddedDuringTheDrainNeverMakeItGoBelowZero() {
    assertEquals(0, startedWith(1000L).percent(5000L));
  }

  @Test
  void unknownFiguresGiveNoPercent() {
    assertNull(startedWith(null).percent(10L));
    assertNull(startedWith(10L).percent(null));
  }

  @Test
  void aDrainIsListedUntilItsHandleCloses() {
    RunningDrains drains = new RunningDrains();
    RunningDrains.Handle handle = drains.begin("g1", "seattle", "portland", 10L);
    assertEquals("portland", drains.of("g1").orElseThrow().to());

    handle.close();

    assertTrue(drains.of("g1").isEmpty());
  }

  @Test
  void aDrainDoesNotWaitForAnOutOfSyncSecondary() {
    assertTrue(RunningDrain.waitsFor("LAGGING"));
    assertTrue(!RunningDrain.waitsFor("OUT_OF_SYNC"));
  }
}
