package org.roamstore.storage.replication.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pacing of ASYNC writes beside SYNC ones, on a clock the test moves. */
class SyncFirstPacerTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final int MIB = 1 << 20;

  private long now = 1_000_000 * MS;
  private final List<Long> sleeps = new ArrayList<>();
  private final SyncFirstPacer pacer = new SyncFirstPacer(() -> now, sleeps::add);

  @Test
  void asyncWritesAloneAreNeverPaced() {
    for (int i = 0; i < 50; i++) {
      interval(0, 0, 100);
    }
    assertEquals(List.of(), sleeps);
    assertEquals(Double.POSITIVE_INFINITY, pacer.rate());
  }

  @Test
  void syncWritesSlowedBesideAsyncOnesCutTheAsyncRateAndAsyncWritersWait() {
    interval(2 * MS, 50, 0); // SYNC alone: its best interval
    interval(2 * MS, 50, 0);
    interval(5 * MS, 50, 80); // ASYNC at 80 MiB per 100 ms beside it: SYNC 2.5 times slower
    double cut = pacer.rate();
    assertTrue(cut < 80.0 * MIB * 10 && cut > 0, "the rate is cut below what ASYNC asked: " + cut);
    assertEquals(80.0 * MIB * 10 * SyncFirstPacer.CUT, cut, 1e-3 * MIB);

    sleeps.clear();
    interval(5 * MS, 50, 80);
    assertTrue(!sleeps.isEmpty(), "ASYNC writers over their share wait");
    assertTrue(pacer.rate() < cut, "still slow: cut again, to " + pacer.rate());
  }

  @Test
  void theRateNeverFallsBelowTheFloor() {
    interval(2 * MS, 50, 0);
    for (int i = 0; i < 100; i++) {
      interval(10 * MS, 50, 4);
    }
    assertEquals(SyncFirstPacer.FLOOR_BYTES_PER_SECOND, pacer.rate(), 1);
  }

  @Test
  void pacingGrowsBackWhileSyncWritesKeepTheirLatencyAndEndsWithoutSyncWrites() {
    interval(2 * MS, 50, 0);
    interval(6 * MS, 50, 80);
    double paced = pacer.rate();
    interval(2 * MS, 50, 56); // ASYNC writers at their share (560 MiB/s), SYNC at its best
    assertEquals(paced * SyncFirstPacer.GROWTH, pacer.rate(), 1, "the rate grows");
    interval(2 * MS, 50, 1); // ASYNC writers asking far less than their share
    assertEquals(Double.POSITIVE_INFINITY, pacer.rate(), "pacing ends");

    interval(6 * MS, 50, 80);
    assertTrue(pacer.rate() < Double.POSITIVE_INFINITY, "paced again");

    interval(0, 0, 1);
    assertEquals(Double.POSITIVE_INFINITY, pacer.rate(), "no SYNC writes: no pacing");
    sleeps.clear();
    interval(0, 0, 200);
    assertEquals(List.of(), sleeps);
  }

  @Test
  void aProbeFindsHowFastSyncWritesGoAloneWhenTheyWereNeverAlone() {
    double lowest = Double.POSITIVE_INFINITY;
    for (int i = 0; i < 100; i++) { // 10 s of ASYNC writes beside SYNC ones from the start
      boolean atFloor = pacer.rate() <= SyncFirstPacer.FLOOR_BYTES_PER_SECOND;
      interval(atFloor ? 2 * MS : 5 * MS, 50, atFloor ? 1 : 80);
      lowest = Math.min(lowest, pacer.rate());
    }
    assertEquals(SyncFirstPacer.FLOOR_BYTES_PER_SECOND, lowest, 1, "a probe ran");
    assertTrue(pacer.rate() < Double.POSITIVE_INFINITY, "what it found paces ASYNC writes");
  }

  @Test
  void aWriterWaitsAtMostTheBound() {
    interval(2 * MS, 50, 0);
    for (int i = 0; i < 100; i++) {
      interval(10 * MS, 50, 4);
    }
    sleeps.clear();
    pacer.admitAsync(64L * MIB);
    assertEquals(List.of(SyncFirstPacer.MAX_WAIT_NANOS), sleeps);
  }

  /**
   * One interval of 100 ms: {@code syncWrites} SYNC writes of {@code latency} each and {@code
   * asyncMib} ASYNC writes of 1 MiB, spread over it; then the clock reaches the next interval.
   */
  private void interval(long latency, int syncWrites, int asyncMib) {
    int steps = Math.max(syncWrites, asyncMib);
    long step = steps == 0 ? 0 : SyncFirstPacer.INTERVAL_NANOS / (steps + 1);
    for (int i = 0; i < steps; i++) {
      now += step;
      if (i < syncWrites) {
        pacer.syncDone(latency);
      }
      if (i < asyncMib) {
        pacer.admitAsync(MIB);
      }
    }
    now += SyncFirstPacer.INTERVAL_NANOS - step * steps;
  }
}
