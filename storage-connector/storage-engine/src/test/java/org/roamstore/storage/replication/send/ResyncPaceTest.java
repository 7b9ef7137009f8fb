package org.roamstore.storage.replication.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A resync copies at most its rate, in bursts of a tenth of a second, and without one at once. */
class ResyncPaceTest {
  private static final long MIB = 1 << 20;

  @Test
  void aLimitedResyncCopiesItsRateAndNoMore() {
    AtomicLong now = new AtomicLong();
    ResyncPace pace = new ResyncPace(20 * MIB, MIB, now::get);
    long copied = 0;
    // Ten simulated seconds, a step of 5 ms each: copy a region whenever allowed.
    for (int step = 0; step < 2000; step++) {
      while (pace.mayCopy(MIB)) {
        pace.copied(MIB);
        copied += MIB;
      }
      now.addAndGet(5_000_000);
    }
    // 200 MiB earned in 10 s, plus the first burst of 2 MiB.
    assertTrue(copied >= 200 * MIB && copied <= 202 * MIB, copied / MIB + " MiB");
  }

  @Test
  void anIdleResyncDoesNotSaveUpMoreThanItsBurst() {
    AtomicLong now = new AtomicLong();
    ResyncPace pace = new ResyncPace(20 * MIB, MIB, now::get);
    now.addAndGet(60_000_000_000L); // a minute idle
    int regions = 0;
    while (pace.mayCopy(MIB)) {
      pace.copied(MIB);
      regions++;
    }
    assertEquals(2, regions, "a tenth of a second's worth");
  }

  @Test
  void noLimitMeansNoWait() {
    ResyncPace pace = new ResyncPace(0, MIB, () -> 0);
    for (int i = 0; i < 1000; i++) {
      assertTrue(pace.mayCopy(MIB));
      pace.copied(MIB);
    }
    assertFalse(new ResyncPace(MIB, MIB, () -> 0).mayCopy(2 * MIB), "more than the burst waits");
  }
}
