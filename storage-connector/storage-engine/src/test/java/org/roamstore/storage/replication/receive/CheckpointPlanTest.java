package org.roamstore.storage.replication.receive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.roamstore.storage.replication.RemoteCopySettings;

/** When the receive process checkpoints, and what a checkpoint covers. */
class CheckpointPlanTest {
  private static final RemoteCopySettings SETTINGS =
      RemoteCopySettings.DEFAULTS.withCheckpointInterval(Duration.ofMillis(100));

  @Test
  void nothingReceivedNothingDue() {
    CheckpointPlan plan = new CheckpointPlan(SETTINGS);
    long later = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    assertFalse(plan.due(later), "an idle secondary does not checkpoint");
    assertEquals(100, plan.waitMillis(later));
  }

  @Test
  void dueAfterTheIntervalOrAtOnceWhenAsked() {
    CheckpointPlan plan = new CheckpointPlan(SETTINGS);
    long now = System.nanoTime();
    plan.restartClock(now);
    plan.wrote(null);
    assertFalse(plan.due(now));
    assertTrue(plan.due(now + TimeUnit.MILLISECONDS.toNanos(100)));
    plan.ask();
    assertTrue(plan.due(now), "a batch someone waits on checkpoints at once");
  }

  @Test
  void dueAfterTheByteBound() {
    CheckpointPlan plan = new CheckpointPlan(SETTINGS);
    long now = System.nanoTime();
    plan.restartClock(now);
    plan.wrote(null);
    plan.received(SETTINGS.checkpointBytes());
    assertTrue(plan.due(now));
  }

  @Test
  void markersAloneNeedNoForce() {
    CheckpointPlan plan = new CheckpointPlan(SETTINGS);
    plan.ask();
    assertTrue(plan.onlyMarkersAsked());
    plan.wrote(null);
    assertFalse(plan.onlyMarkersAsked(), "a written volume must be flushed");
  }

  @Test
  void aCheckpointTakesEverythingAndAFailedOneIsTakenUpAgain() {
    CheckpointPlan plan = new CheckpointPlan(SETTINGS);
    plan.wrote(null);
    plan.ask();
    Checkpoint c = plan.begin(List.of(), System.nanoTime());
    assertEquals(1, c.flush.size());
    assertFalse(plan.hasWork(), "the plan starts anew");
    assertFalse(plan.onlyMarkersAsked(), "the ask was served");
    plan.takeUp(c);
    assertTrue(plan.hasWork(), "a failed checkpoint's volumes go to the next one");
    assertFalse(plan.markersOnly());
  }
}
