package org.roamstore.directory.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.login.LoginPolicy.Decision;
import org.roamstore.directory.login.LoginPolicy.Outcome;
import org.roamstore.directory.login.LoginPolicy.Reason;
import org.roamstore.directory.model.TakeoverPolicy;

class LoginPolicyTest {
  private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

  private static LoginPolicy.Facts facts(
      String nearest,
      boolean primaryUp,
      Instant lastSwitch,
      TakeoverPolicy policy,
      int elsewhere,
      boolean force) {
    return new LoginPolicy.Facts(
        nearest,
        "portland",
        primaryUp,
        Optional.ofNullable(lastSwitch),
        Duration.ofSeconds(30),
        policy,
        elsewhere,
        force,
        NOW);
  }

  @Test
  void theNearestSiteHoldingThePrimaryNeedsNoSwitch() {
    Decision d =
        LoginPolicy.decide(facts("portland", true, null, TakeoverPolicy.TAKE_OVER, 3, false));
    assertEquals(new Decision(Outcome.AT_PRIMARY, Reason.NEAREST_IS_PRIMARY), d);
  }

  @Test
  void anUnusedVolumeMovesToTheNearestSite() {
    Decision d =
        LoginPolicy.decide(facts("seattle", true, null, TakeoverPolicy.TAKE_OVER, 0, false));
    assertEquals(new Decision(Outcome.SWITCH, Reason.NEAREST), d);
  }

  @Test
  void aVolumeInUseElsewhereIsTakenOverByDefault() {
    Decision d =
        LoginPolicy.decide(facts("seattle", true, null, TakeoverPolicy.TAKE_OVER, 1, false));
    assertEquals(new Decision(Outcome.SWITCH, Reason.TAKEN_OVER), d);
  }

  @Test
  void aVolumeInUseElsewhereStaysWhenItsPolicySaysSo() {
    Decision d = LoginPolicy.decide(facts("seattle", true, null, TakeoverPolicy.STAY, 1, false));
    assertEquals(new Decision(Outcome.STAY_REMOTE, Reason.IN_USE_ELSEWHERE), d);
  }

  @Test
  void aPrimaryYoungerThanTheMinimumStayStaysPut() {
    Decision young =
        LoginPolicy.decide(
            facts("seattle", true, NOW.minusSeconds(29), TakeoverPolicy.TAKE_OVER, 0, false));
    Decision old =
        LoginPolicy.decide(
            facts("seattle", true, NOW.minusSeconds(30), TakeoverPolicy.TAKE_OVER, 0, false));

    assertEquals(new Decision(Outcome.STAY_REMOTE, Reason.MINIMUM_STAY), young);
    assertEquals(Outcome.SWITCH, old.outcome());
  }

  @Test
  void aDownPrimaryIsOnlyTakenOverByForce() {
    DirectoryException e =
        assertThrows(
            DirectoryException.class,
            () ->
                LoginPolicy.decide(
                    facts("seattle", false, null, TakeoverPolicy.TAKE_OVER, 0, false)));
    assertEquals(ErrorCode.OLD_PRIMARY_UNREACHABLE, e.code());

    Decision forced =
        LoginPolicy.decide(
            facts("seattle", false, NOW.minusSeconds(1), TakeoverPolicy.STAY, 2, true));
    assertEquals(new Decision(Outcome.FORCED_TAKEOVER, Reason.OLD_PRIMARY_DOWN), forced);
  }
}
