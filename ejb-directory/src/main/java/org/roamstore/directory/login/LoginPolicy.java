package org.roamstore.directory.login;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.model.TakeoverPolicy;

/**
 * Whether a login moves the primary (step 803 of Fig. 8 and the rules around it). Pure: the login
 * service gathers the facts, this decides.
 */
public final class LoginPolicy {

  /** What the login will do. */
  public enum Outcome {
    /** The nearest site already holds the primary. */
    AT_PRIMARY,
    /** The nearest site becomes primary. */
    SWITCH,
    /** The nearest site becomes primary without the unreachable old one. */
    FORCED_TAKEOVER,
    /** The primary stays where it is and the user gets access there, though it is farther. */
    STAY_REMOTE
  }

  /** Why, in a stable word the REST API returns. */
  public enum Reason {
    NEAREST_IS_PRIMARY,
    NEAREST,
    TAKEN_OVER,
    MINIMUM_STAY,
    IN_USE_ELSEWHERE,
    OLD_PRIMARY_DOWN
  }

  public record Decision(Outcome outcome, Reason reason) {
    public boolean switches() {
      return outcome == Outcome.SWITCH || outcome == Outcome.FORCED_TAKEOVER;
    }
  }

  /**
   * The facts of one login.
   *
   * @param nearest the chosen (nearest up) data center
   * @param primary the data center holding the primary
   * @param primaryUp whether the directory has the primary's data center up
   * @param lastSwitchAt when the primary last moved, if ever
   * @param minimumStay how long a new primary stays before another login may move it
   * @param policy what to do when the volume is in use through another site
   * @param grantsElsewhere active access grants at data centers other than the nearest
   * @param force whether the user asked for a forced takeover
   * @param now the time of the login
   */
  public record Facts(
      String nearest,
      String primary,
      boolean primaryUp,
      Optional<Instant> lastSwitchAt,
      Duration minimumStay,
      TakeoverPolicy policy,
      int grantsElsewhere,
      boolean force,
      Instant now) {}

  private LoginPolicy() {}

  public static Decision decide(Facts f) {
    if (f.nearest().equals(f.primary())) {
      return new Decision(Outcome.AT_PRIMARY, Reason.NEAREST_IS_PRIMARY);
    }
    if (!f.primaryUp()) {
      if (f.force()) {
        return new Decision(Outcome.FORCED_TAKEOVER, Reason.OLD_PRIMARY_DOWN);
      }
      throw new DirectoryException(
          ErrorCode.OLD_PRIMARY_UNREACHABLE,
          "the primary of this volume is at "
              + f.primary()
              + ", which is down; it stays primary. Log in with \"force\": true to take over"
              + " without it (writes it has not sent may be lost)",
          java.util.Map.of("site", f.primary()));
    }
    boolean staying =
        f.lastSwitchAt().map(at -> f.now().isBefore(at.plus(f.minimumStay()))).orElse(false);
    if (staying) {
      return new Decision(Outcome.STAY_REMOTE, Reason.MINIMUM_STAY);
    }
    if (f.grantsElsewhere() > 0) {
      return f.policy() == TakeoverPolicy.STAY
          ? new Decision(Outcome.STAY_REMOTE, Reason.IN_USE_ELSEWHERE)
          : new Decision(Outcome.SWITCH, Reason.TAKEN_OVER);
    }
    return new Decision(Outcome.SWITCH, Reason.NEAREST);
  }
}
