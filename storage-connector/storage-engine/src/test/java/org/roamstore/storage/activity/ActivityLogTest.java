package org.roamstore.storage.activity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ActivityLogTest {
  private static final int MIB = 1 << 20;

  @TempDir Path dir;

  private ActivityLog open(int maxHot, Runnable wantCooling) throws IOException {
    return ActivityLog.open(dir.resolve("v.hot"), MIB, maxHot, wantCooling);
  }

  private static BitSet bits(int... regions) {
    BitSet b = new BitSet();
    for (int r : regions) {
      b.set(r);
    }
    return b;
  }

  @Test
  void aWritesRegionsAreOnDiskBeforeItMayReachTheCache() throws IOException {
    try (ActivityLog log = open(64, () -> {})) {
      assertTrue(log.leftover().isEmpty(), "a new log holds nothing");
      log.end(log.begin(3L * MIB + 10, 2L * MIB)); // regions 3, 4 and 5
      log.end(log.begin(0, 1));
      // Not closed: as after a crash, the next open finds what is hot.
    }
    try (ActivityLog again = open(64, () -> {})) {
      assertEquals(bits(0, 3, 4, 5), again.leftover());
      assertEquals(bits(0, 3, 4, 5), again.hot());
    }
  }

  @Test
  void aRoundCoolsOnlyTheRegionsNotWrittenSinceItsCut() throws IOException {
    try (ActivityLog log = open(64, () -> {})) {
      log.end(log.begin(0, MIB));
      log.end(log.begin(MIB, MIB));
      ActivityLog.Cut cut = log.cut(1000);
      assertNotNull(cut);
      log.end(log.begin(MIB, 4096)); // region 1 is written again after the cut
      assertTrue(log.hasIdleRegions());
      assertEquals(1, log.cooled(cut));
      assertEquals(bits(1), log.hot());
      assertFalse(log.hasIdleRegions());
    }
    try (ActivityLog again = open(64, () -> {})) {
      assertEquals(bits(1), again.leftover(), "the cooled state is what a crash finds");
    }
  }

  @Test
  void aCutWaitsForTheWritesOfTheOldPeriodToEnd() throws Exception {
    try (ActivityLog log = open(64, () -> {})) {
      ActivityLog.Ticket inFlight = log.begin(0, 4096);
      assertNull(log.cut(100), "a write of the old period is still on its way");
      assertNull(log.cut(100), "no second round while the first one's write is on its way");
      log.end(inFlight);
      ActivityLog.Cut cut = log.cut(1000);
      assertNotNull(cut);
      assertEquals(1, log.cooled(cut));
      assertTrue(log.hot().isEmpty());
    }
  }

  @Test
  void aFullLogMakesTheWriterWaitForACoolingRound() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    try (ActivityLog log = open(2, asked::incrementAndGet)) {
      log.end(log.begin(0, 4096));
      log.end(log.begin(MIB, 4096));
      assertTrue(log.full());
      CompletableFuture<ActivityLog.Ticket> third =
          CompletableFuture.supplyAsync(() -> log.begin(2L * MIB, 4096));
      org.awaitility.Awaitility.await().until(() -> asked.get() > 0);
      assertFalse(third.isDone(), "no slot until a round cools one");
      ActivityLog.Cut cut = log.cut(1000);
      log.cooled(cut);
      ActivityLog.Ticket ticket = third.get(10, TimeUnit.SECONDS);
      log.end(ticket);
      assertEquals(bits(2), log.hot());
    }
  }

  @Test
  void theLeftoverOfAnUncleanStopStaysHotUntilItIsForgottenOrCleared() throws IOException {
    try (ActivityLog log = open(64, () -> {})) {
      log.end(log.begin(5L * MIB, 4096));
    }
    try (ActivityLog log = open(64, () -> {})) {
      ActivityLog.Cut cut = log.cut(1000);
      log.cooled(cut);
      assertEquals(bits(5), log.hot(), "a round does not cool what a crash left");
      log.end(log.begin(7L * MIB, 4096));
      log.forgetLeftover();
      assertEquals(bits(7), log.hot(), "what was written since stays");
      log.clear();
      assertTrue(log.hot().isEmpty());
    }
    try (ActivityLog again = open(64, () -> {})) {
      assertTrue(again.leftover().isEmpty());
    }
  }

  @Test
  void aChangedRegionSizeKeepsEveryHotByteHot() throws IOException {
    try (ActivityLog log = ActivityLog.open(dir.resolve("v.hot"), 4 * MIB, 64, () -> {})) {
      log.end(log.begin(4L * MIB, 4096)); // region 1 of 4 MiB
    }
    try (ActivityLog again = open(64, () -> {})) {
      assertEquals(bits(4, 5, 6, 7), again.leftover());
    }
  }
}
