package org.roamstore.directory.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class VerifiedCredentialsTest {
  private static final String HASH = "PBKDF2WithHmacSHA256:4096:c2FsdA==:aGFzaA==";

  /** A clock the test moves by hand. */
  private static final class Hand extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final Hand clock = new Hand();
  private final VerifiedCredentials verified = new VerifiedCredentials(clock);

  @Test
  void onlyTheSamePasswordAgainstTheSameStoredHashMatches() {
    assertFalse(verified.matches("alice", HASH, "alice-roams"), "nothing remembered yet");

    verified.remember("alice", HASH, "alice-roams");

    assertTrue(verified.matches("alice", HASH, "alice-roams"));
    assertFalse(verified.matches("alice", HASH, "alice-roams!"), "a wrong password");
    assertFalse(verified.matches("alice", HASH, ""), "no password");
    assertFalse(verified.matches("bob", HASH, "alice-roams"), "another user");
    assertFalse(
        verified.matches("alice", HASH + "x", "alice-roams"),
        "a changed password (another stored hash) makes the entry useless");
  }

  @Test
  void theBoundaryBetweenHashAndPasswordCannotBeShifted() {
    verified.remember("alice", "ab", "c");

    assertFalse(verified.matches("alice", "a", "bc"));
    assertTrue(verified.matches("alice", "ab", "c"));
  }

  @Test
  void anEntryExpiresAndCanBeForgotten() {
    verified.remember("alice", HASH, "alice-roams");
    clock.now = clock.now.plus(VerifiedCredentials.LIFETIME).minusSeconds(1);
    assertTrue(verified.matches("alice", HASH, "alice-roams"));

    clock.now = clock.now.plusSeconds(1);
    assertFalse(verified.matches("alice", HASH, "alice-roams"), "expired");
    assertEquals(0, verified.size(), "and dropped");

    verified.remember("alice", HASH, "alice-roams");
    verified.forget("alice");
    assertFalse(verified.matches("alice", HASH, "alice-roams"), "forgotten");
  }

  @Test
  void itKeepsAtMostItsCapacityDroppingTheLeastRecentlyUsed() {
    verified.remember("first", HASH, "pw");
    for (int i = 0; i < VerifiedCredentials.CAPACITY - 1; i++) {
      verified.remember("user" + i, HASH, "pw");
    }
    assertTrue(verified.matches("first", HASH, "pw"), "used again: now the most recent");

    verified.remember("one-more", HASH, "pw");

    assertEquals(VerifiedCredentials.CAPACITY, verified.size());
    assertTrue(verified.matches("first", HASH, "pw"));
    assertFalse(verified.matches("user0", HASH, "pw"), "the least recently used went");
  }
}
