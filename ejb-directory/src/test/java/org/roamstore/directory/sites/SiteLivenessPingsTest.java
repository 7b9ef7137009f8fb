package org.roamstore.directory.sites;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.model.DownReason;

/**
 * The site watch's rules with several pings of a site out at once, as {@link SiteWatch} sends them
 * (one per period, each failing at its own timeout), and the time they take to mark a dead site
 * down.
 */
class SiteLivenessPingsTest {
  private static final String SITE = "portland";

  private long now; // nanoseconds, the clock SiteLiveness reads when a ping is sent
  private final SiteLiveness liveness = new SiteLiveness(3, () -> now);

  private static SiteLiveness.Site up() {
    return new SiteLiveness.Site(SITE, SITE, true, null);
  }

  private static SiteLiveness.Site down(DownReason reason) {
    return new SiteLiveness.Site(SITE, SITE, false, reason);
  }

  private long[] send(int count) {
    liveness.refresh(List.of(up()));
    long[] pings = new long[count];
    for (int i = 0; i < count; i++) {
      pings[i] = liveness.sent(SITE);
    }
    return pings;
  }

  @Test
  void theThirdFailureInARowMarksDownWhileLaterPingsAreStillOut() {
    long[] p = send(6);
    assertEquals(Optional.empty(), liveness.failed(SITE, p[0], "no answer"));
    assertEquals(Optional.empty(), liveness.failed(SITE, p[1], "no answer"));
    SiteLiveness.Change down =
        liveness.failed(SITE, p[2], "no answer within 5000 ms").orElseThrow();
    assertFalse(down.up());
    assertTrue(down.why().startsWith("3 pings in a row failed"), down.why());
    assertTrue(down.why().endsWith("no answer within 5000 ms"), down.why());
    assertEquals(Optional.empty(), liveness.failed(SITE, p[3], "no answer"), "down already");
    assertEquals(2, liveness.outstanding(SITE));
  }

  @Test
  void failuresWithAPingStillOutBetweenThemAreNotInARow() {
    long[] p = send(4);
    liveness.failed(SITE, p[0], "x");
    liveness.failed(SITE, p[1], "x");
    assertEquals(Optional.empty(), liveness.failed(SITE, p[3], "x"), "p[2] may still answer");
    assertTrue(liveness.failed(SITE, p[2], "x").isPresent(), "now 4 in a row");
  }

  @Test
  void anAnswerEndsTheRunAndAFailureOfAnEarlierPingNoLongerCounts() {
    long[] p = send(7);
    liveness.failed(SITE, p[0], "x");
    liveness.failed(SITE, p[1], "x");
    assertEquals(Optional.empty(), liveness.answered(SITE, p[3]));
    assertEquals(Optional.empty(), liveness.failed(SITE, p[2], "x"), "the site lived after it");
    liveness.failed(SITE, p[4], "x");
    liveness.failed(SITE, p[5], "x");
    assertTrue(liveness.failed(SITE, p[6], "x").isPresent());
  }

  @Test
  void failuresOfPingsSentBeforeAnAnsweredOneNeverMarkDown() {
    long[] p = send(5);
    liveness.answered(SITE, p[4]); // fast, while earlier pings wait in a stuck queue
    for (int i = 0; i < 4; i++) {
      assertEquals(Optional.empty(), liveness.failed(SITE, p[i], "no answer"), "ping " + i);
    }
  }

  @Test
  void aSiteThatMissesEveryOtherPingStaysUp() {
    for (int i = 0; i < 50; i++) {
      long[] p = send(2);
      assertEquals(Optional.empty(), liveness.failed(SITE, p[0], "late"));
      assertEquals(Optional.empty(), liveness.answered(SITE, p[1]));
    }
  }

  @Test
  void theChangeSaysHowLongTheSiteHasBeenSilent() {
    liveness.refresh(List.of(up()));
    long[] p = new long[3];
    for (int i = 0; i < 3; i++) {
      now = i * 1_000_000_000L;
      p[i] = liveness.sent(SITE);
    }
    now = 5_000_000_000L;
    liveness.failed(SITE, p[0], "x");
    now = 6_000_000_000L;
    liveness.failed(SITE, p[1], "x");
    now = 7_000_000_000L;
    assertTrue(liveness.failed(SITE, p[2], "x").orElseThrow().why().contains("sent 7000 ms ago"));
  }

  @Test
  void anAnswerBringsBackOnlyASiteTheWatchTookDown() {
    long[] p = send(1);
    liveness.refresh(List.of(down(DownReason.UNREACHABLE)));
    assertTrue(liveness.answered(SITE, p[0]).orElseThrow().up());

    long[] q = send(1);
    liveness.refresh(List.of(down(DownReason.MANUAL))); // an operator, while the ping was out
    assertEquals(Optional.empty(), liveness.answered(SITE, q[0]));
    assertEquals(List.of(), liveness.refresh(List.of(down(DownReason.MANUAL))), "not pinged");
  }

  @Test
  void pingsOutWhenASiteIsForgottenNeverCountForItLater() {
    long[] old = send(3);
    liveness.refresh(List.of(down(DownReason.MANUAL)));
    long[] fresh = send(1);
    assertTrue(fresh[0] > old[2], "numbers go on");
    liveness.failed(SITE, old[0], "x");
    liveness.failed(SITE, old[1], "x");
    liveness.failed(SITE, old[2], "x");
    assertEquals(Optional.empty(), liveness.failed(SITE, fresh[0], "x"), "one failure of its own");
  }

  /**
   * Drives the rules as SiteWatch times them: a ping every {@code period}, answered after {@code
   * latency} while the site lives, failed at {@code timeout} otherwise. The site is silent from
   * {@code silentFrom} to {@code silentUntil} (answers to pings sent meanwhile come at its end, and
   * count when that is within the timeout). Returns when it was marked down, or -1.
   */
  private static long simulate(
      long period, long timeout, int failures, long latency, long silentFrom, long silentUntil) {
    long[] clock = {0};
    SiteLiveness rules = new SiteLiveness(failures, () -> clock[0]);
    record Event(long at, long ping, boolean answer) {}
    PriorityQueue<Event> events =
        new PriorityQueue<>(
            (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.ping, b.ping));
    long end = silentFrom + 20 * (timeout + failures * period);
    List<Long> downs = new ArrayList<>();
    for (long send = 0; send < end; send += period) {
      // Events due before this send, in time order.
      while (!events.isEmpty() && events.peek().at < send) {
        Event e = events.poll();
        clock[0] = e.at;
        (e.answer ? rules.answered(SITE, e.ping) : rules.failed(SITE, e.ping, "x"))
            .ifPresent(c -> downs.add(c.up() ? -1 : e.at));
      }
      clock[0] = send;
      rules.refresh(List.of(up()));
      long ping = rules.sent(SITE);
      long answerAt = send + latency;
      if (answerAt > silentFrom && send < silentUntil) {
        answerAt = Math.max(answerAt, saturatedAdd(silentUntil, latency)); // never, if dead
      }
      events.add(
          answerAt - send <= timeout
              ? new Event(answerAt, ping, true)
              : new Event(send + timeout, ping, false));
    }
    return downs.stream().filter(t -> t >= 0).findFirst().orElse(-1L);
  }

  private static long saturatedAdd(long a, long b) {
    return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
  }

  @Test
  void aDeadSiteIsMarkedDownWithinFailuresTimesPeriodPlusTimeoutWhateverTheMomentItDies() {
    long period = 1000;
    long timeout = 5000;
    int failures = 3;
    for (long death = 10_000; death < 11_000; death += 50) {
      long markedDown = simulate(period, timeout, failures, 3, death, Long.MAX_VALUE);
      assertTrue(markedDown > death, "not before it died: " + markedDown + " vs " + death);
      assertTrue(
          markedDown - death <= failures * period + timeout,
          "dead at " + death + ", marked down " + (markedDown - death) + " ms later");
    }
    // The bound is reached: dying just after a ping answered leaves a whole period to the next.
    assertEquals(8000 - 3, simulate(period, timeout, failures, 3, 10_003, Long.MAX_VALUE) - 10_003);
  }

  @Test
  void aSiteSilentForLessThanTimeoutPlusFailuresLessOnePeriodsIsNeverMarkedDown() {
    long period = 1000;
    long timeout = 5000;
    int failures = 3;
    long tolerated = timeout + (failures - 1) * period; // 7 s
    for (long start = 10_000; start < 11_000; start += 50) {
      assertEquals(-1, simulate(period, timeout, failures, 3, start, start + tolerated - 10));
      assertTrue(
          simulate(period, timeout, failures, 3, start, start + tolerated + period + 10) > 0,
          "a longer silence does mark it down");
    }
  }

  @Test
  void aSlowSiteThatAnswersWithinTheTimeoutStaysUp() {
    assertEquals(-1, simulate(1000, 5000, 3, 4900, Long.MAX_VALUE, Long.MAX_VALUE));
  }
}
