package org.roamstore.storage.api;

import java.time.Instant;
import java.util.List;

/**
 * The last (or running) online verify of one secondary, as its primary saw it.
 *
 * @param outcome where it stands
 * @param startedAt when it began
 * @param finishedAt when it ended; null while it runs
 * @param bytesVerified bytes of the volume compared so far
 * @param bytesTotal bytes of the volume
 * @param regionBytes the size of a compared region
 * @param differingRegions regions found different
 * @param differingOffsets offsets of the first differing regions (at most {@link #LISTED})
 * @param repair whether differing regions are resynchronised from the primary
 * @param detail why it was interrupted; null otherwise
 */
public record VerifyStatus(
    Outcome outcome,
    Instant startedAt,
    Instant finishedAt,
    long bytesVerified,
    long bytesTotal,
    int regionBytes,
    long differingRegions,
    List<Long> differingOffsets,
    boolean repair,
    String detail) {

  /** How many differing offsets a status lists. */
  public static final int LISTED = 32;

  public VerifyStatus {
    differingOffsets = List.copyOf(differingOffsets);
  }

  /** Where a verify stands. */
  public enum Outcome {
    /** Regions are being compared. */
    RUNNING,
    /** Every region was compared and none differed. */
    NO_DIFFERENCE,
    /** Every region was compared and some differed (see {@code repair}). */
    DIFFERENCES,
    /**
     * It stopped before comparing every region: the secondary went out of sync, the primary moved
     * or restarted.
     */
    INTERRUPTED
  }

  /** Progress, 0-100. */
  public int percent() {
    return bytesTotal == 0 ? 100 : (int) (100 * bytesVerified / bytesTotal);
  }

  /** Whether differences were found that were not repaired: the secondary is not in sync. */
  public boolean unrepaired() {
    return outcome == Outcome.DIFFERENCES && !repair;
  }
}
