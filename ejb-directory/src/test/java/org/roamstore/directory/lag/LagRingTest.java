package org.roamstore.directory.lag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LagRingTest {
  private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

  private static LagSample sample(int second, long bytes) {
    return new LagSample(T0.plusSeconds(second), "LAGGING", bytes, 0.5);
  }

  @Test
  void anEmptyRingHasNoSamples() {
    LagRing ring = new LagRing(3);
    assertEquals(List.of(), ring.samples());
    assertTrue(ring.latest().isEmpty());
  }

  @Test
  void samplesComeOldestFirstUntilTheRingIsFull() {
    LagRing ring = new LagRing(3);
    ring.add(sample(0, 10));
    ring.add(sample(5, 20));

    assertEquals(List.of(sample(0, 10), sample(5, 20)), ring.samples());
    assertEquals(sample(5, 20), ring.latest().orElseThrow());
  }

  @Test
  void aFullRingDropsTheOldestAndNeverGrows() {
    LagRing ring = new LagRing(3);
    for (int i = 0; i < 8; i++) {
      ring.add(sample(i * 5, i));
    }

    assertEquals(List.of(sample(25, 5), sample(30, 6), sample(35, 7)), ring.samples());
    assertEquals(sample(35, 7), ring.latest().orElseThrow());
  }

  @Test
  void fifteenMinutesOfSamplesEveryFiveSeconds() {
    assertEquals(180, LagHistory.CAPACITY);
  }

  @Test
  void aRingHoldsAtLeastOneSample() {
    assertThrows(IllegalArgumentException.class, () -> new LagRing(0));
  }
}
