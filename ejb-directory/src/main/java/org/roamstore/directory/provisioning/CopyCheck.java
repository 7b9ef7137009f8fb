package org.roamstore.directory.provisioning;

import java.time.Instant;
import java.util.Optional;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.VerifyStatus;

/**
 * The rule that says when a copy added to a volume in use is complete: its primary reports it in
 * sync, and then a verify started for it after that compares every region with the primary's and
 * finds no difference, while it stays in sync. A copy is never counted complete on the resync's
 * word alone: the verify is what checks the bytes.
 */
final class CopyCheck {
  private CopyCheck() {}

  /** What the directory does next about one copying member. */
  enum Step {
    /** Nothing yet: the copy is under way, or its verify runs. */
    WAIT,
    /** The copy is in sync and no verify of it runs: start one. */
    START_VERIFY,
    /** The verify the directory started found no difference and the copy is still in sync. */
    COMPLETE,
    /**
     * The verify started for it is gone, was interrupted, found differences (repaired by a resync)
     * or the copy fell out of sync since: forget it, and verify again once in sync.
     */
    VERIFY_AGAIN
  }

  /**
   * @param verifyStartedAt the verify the directory started for this copy, as recorded
   * @param atPrimary the copy as its primary reports it; null when the primary does not report it
   *     (it does not know the member yet, or is not the primary)
   */
  static Step next(Optional<Instant> verifyStartedAt, CopyGroupStatus.SecondaryStatus atPrimary) {
    if (atPrimary == null) {
      return verifyStartedAt.isPresent() ? Step.VERIFY_AGAIN : Step.WAIT;
    }
    boolean inSync = atPrimary.state() == CopyGroupStatus.State.IN_SYNC;
    VerifyStatus verify = atPrimary.verify();
    if (verifyStartedAt.isEmpty()) {
      boolean verifying = verify != null && verify.outcome() == VerifyStatus.Outcome.RUNNING;
      return inSync && !verifying ? Step.START_VERIFY : Step.WAIT;
    }
    if (verify == null || !verify.startedAt().equals(verifyStartedAt.get())) {
      return Step.VERIFY_AGAIN; // the primary restarted, moved, or another verify replaced it
    }
    switch (verify.outcome()) {
      case RUNNING:
        return Step.WAIT;
      case NO_DIFFERENCE:
        return inSync ? Step.COMPLETE : Step.VERIFY_AGAIN;
      default:
        return Step.VERIFY_AGAIN;
    }
  }
}
