package org.roamstore.directory.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;

class LoginThrottleTest {

  /** A clock the test moves by hand. */
  private static final class Hand extends Clock {
    Instant now = Instant.parse("2025-01-01T00:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final Hand clock = new Hand();
  private final LoginThrottle throttle = new LoginThrottle(clock);

  @Test
  void theFirstFailuresCostNothing() {
    throttle.failed("alice");
    throttle.failed("alice");
    assertEquals(Optional.empty(), throttle.waitFor("alice"));
  }

  @Test
  void theDelayDoublesUpToTheCap() {
    assertEquals(Duration.ZERO, LoginThrottle.delayAfter(2));
    assertEquals(Duration.ofSeconds(2), LoginThrottle.delayAfter(3));
    assertEquals(Duration.ofSeconds(4), LoginThrottle.delayAfter(4));
    assertEquals(Duration.ofSeconds(8), LoginThrottle.delayAfter(5));
    assertEquals(Duration.ofSeconds(60), LoginThrottle.delayAfter(40));
  }

  @Test
  void aThrottledUserIsRefusedUntilTheDelayHasPassed() {
    for (int i = 0; i < 4; i++) {
      throttle.failed("Alice");
    }
    DirectoryException refused =
        assertThrows(DirectoryException.class, () -> throttle.check("alice"));
    assertEquals(ErrorCode.TOO_MANY_ATTEMPTS, refused.code());
    assertEquals("4", refused.details().get("retryAfterSeconds"));
    assertEquals(Optional.empty(), throttle.waitFor("bob"), "other users are not slowed down");

    clock.now = clock.now.plusSeconds(4);
    throttle.check("alice");
  }

  @Test
  void aSuccessOrTimeForgetsTheFailures() {
    for (int i = 0; i < 5; i++) {
      throttle.failed("alice");
    }
    throttle.succeeded("alice");
    assertEquals(Optional.empty(), throttle.waitFor("alice"));

    for (int i = 0; i < 5; i++) {
      throttle.failed("bob");
    }
    clock.now = clock.now.plus(LoginThrottle.MEMORY).plusSeconds(1);
    assertEquals(Optional.empty(), throttle.waitFor("bob"));
    throttle.failed("bob");
    assertTrue(throttle.waitFor("bob").isEmpty(), "one fresh failure after a long pause is free");
  }
}
