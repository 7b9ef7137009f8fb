package org.roamstore.storage.replication.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.api.VerifyStatus;
import org.roamstore.storage.api.VerifyStatus.Outcome;

/** The bookkeeping of one online verify at the primary, and its record across restarts. */
class VerificationTest {
  private static final int R = Verification.REGION_BYTES;
  private static final byte[] A = digest(1);
  private static final byte[] B = digest(2);

  @TempDir Path root;

  private static byte[] digest(int fill) {
    byte[] d = new byte[32];
    java.util.Arrays.fill(d, (byte) fill);
    return d;
  }

  @Test
  void comparesEveryRegionOnceBothDigestsAreIn() {
    Verification v = new Verification(3L * R - 100, Long.MAX_VALUE / 4, false);
    for (int r = 0; r < 3; r++) {
      assertEquals(r, v.next(System.nanoTime()));
      v.asked(r, 10 + r);
    }
    assertEquals(-1, v.next(System.nanoTime()), "every region asked");
    assertEquals(R - 100, v.lengthOf(2), "the last region is short");
    v.primaryDigest(0, A);
    v.secondaryDigest(0, A);
    v.secondaryDigest(R, B); // before the primary's: kept until it comes
    v.primaryDigest(R, A);
    assertFalse(v.done());
    v.primaryDigest(2L * R, A);
    v.secondaryDigest(2L * R, A);
    assertTrue(v.done());
    VerifyStatus s = v.status(Outcome.DIFFERENCES, null);
    assertEquals(3L * R - 100, s.bytesVerified());
    assertEquals(1, s.differingRegions());
    assertEquals(List.of((long) R), s.differingOffsets());
    assertEquals(100, s.percent());
  }

  @Test
  void aRegionWhoseAnswerWasLostIsAskedAgain() {
    Verification v = new Verification(2L * R, Long.MAX_VALUE / 4, true);
    v.asked(v.next(System.nanoTime()), 5);
    v.asked(v.next(System.nanoTime()), 9);
    v.primaryDigest(0, A);
    v.primaryDigest(R, A);
    v.secondaryDigest(R, A);
    v.answeredUpTo(9); // region 0's entry (5) is at or below: its digest is not coming
    assertFalse(v.done());
    assertEquals(0, v.next(System.nanoTime()), "asked again");
    v.asked(0, 12);
    v.answeredUpTo(11); // 12 is not answered yet: still pending, not lost
    assertEquals(-1, v.next(System.nanoTime()));
    v.primaryDigest(0, A);
    v.secondaryDigest(0, A);
    assertTrue(v.done());
    assertEquals(0, v.status(Outcome.NO_DIFFERENCE, null).differingRegions());
  }

  @Test
  void theRateBoundsWhatIsAsked() {
    Verification v = new Verification(64L * R, R, true); // one region per second
    long start = System.nanoTime();
    assertEquals(0, v.next(start), "a region of burst at once");
    v.asked(0, 1);
    assertEquals(-1, v.next(start), "then the rate");
    assertEquals(1, v.next(start + 1_100_000_000L), "one more after a second");
  }

  @Test
  void theLastVerifyAndItsUnrepairedRegionsSurviveARestart() throws Exception {
    Path file = root.resolve("g.verify");
    VerifyRecords records = VerifyRecords.load(file);
    assertNull(records.last("portland"), "never verified");
    Verification v = new Verification(4L * R, Long.MAX_VALUE / 4, false);
    BitSet differing = new BitSet();
    differing.set(3);
    records.finished("portland", v.status(Outcome.DIFFERENCES, null), differing);
    records.finished("sanfrancisco", v.status(Outcome.INTERRUPTED, "it went away"), new BitSet());

    VerifyRecords again = VerifyRecords.load(file);
    assertEquals(Outcome.DIFFERENCES, again.last("portland").outcome());
    assertEquals(differing, again.unrepaired("portland"));
    assertEquals("it went away", again.last("sanfrancisco").detail());
    // An interrupted verify does not clear what the one before found unrepaired.
    again.finished("portland", v.status(Outcome.INTERRUPTED, "moved"), new BitSet());
    assertEquals(differing, VerifyRecords.load(file).unrepaired("portland"));
    again.resyncing("portland");
    assertTrue(VerifyRecords.load(file).unrepaired("portland").isEmpty());
  }
}
