package org.roamstore.directory.security;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;

/**
 * A growing delay after repeated failed sign-ins of one user name, shared by every way in (pages,
 * REST, the request queue), so guessing a password costs time whichever door is used.
 *
 * <p>The first {@value #FREE_FAILURES} failures cost nothing (people mistype); after that, the next
 * attempt is refused without looking at the password until 2, 4, 8 ... up to {@value
 * #MAX_DELAY_SECONDS} seconds have passed since the last failure. A success forgets the failures.
 * Keyed by user name, not by address: an attacker has many addresses and a user has one name. The
 * price is that someone guessing can slow the real user down, never lock them out for longer than
 * the cap.
 */
@ApplicationScoped
public class LoginThrottle {
  static final int FREE_FAILURES = 2;
  static final long MAX_DELAY_SECONDS = 60;

  /** Failures older than this are forgotten, so a user is not punished for last week. */
  static final Duration MEMORY = Duration.ofMinutes(15);

  private record Failures(int count, Instant last) {}

  private final Map<String, Failures> failures = new ConcurrentHashMap<>();
  private final Clock clock;

  public LoginThrottle() {
    this(Clock.systemUTC());
  }

  LoginThrottle(Clock clock) {
    this.clock = clock;
  }

  /** How long this user must still wait before the next attempt is looked at; empty: go ahead. */
  public Optional<Duration> waitFor(String user) {
    Failures f = failures.get(key(user));
    if (f == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (now.isAfter(f.last().plus(MEMORY))) {
      failures.remove(key(user), f);
      return Optional.empty();
    }
    Instant allowedAt = f.last().plus(delayAfter(f.count()));
    return now.isBefore(allowedAt)
        ? Optional.of(Duration.between(now, allowedAt))
        : Optional.empty();
  }

  /** Refuses with {@link ErrorCode#TOO_MANY_ATTEMPTS} while the user must wait. */
  public void check(String user) {
    waitFor(user)
        .ifPresent(
            wait -> {
              long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
              throw new DirectoryException(
                  ErrorCode.TOO_MANY_ATTEMPTS,
                  "too many failed sign-ins for this user; try again in " + seconds + " s",
                  Map.of("retryAfterSeconds", Long.toString(seconds)));
            });
  }

  public void failed(String user) {
    Instant now = clock.instant();
    failures.merge(
        key(user),
        new Failures(1, now),
        (old, one) ->
            now.isAfter(old.last().plus(MEMORY)) ? one : new Failures(old.count() + 1, now));
  }

  public void succeeded(String user) {
    failures.remove(key(user));
  }

  static Duration delayAfter(int failureCount) {
    if (failureCount <= FREE_FAILURES) {
      return Duration.ZERO;
    }
    int doublings = Math.min(failureCount - FREE_FAILURES, 6);
    return Duration.ofSeconds(Math.min(MAX_DELAY_SECONDS, 1L << doublings));
  }

  private static String key(String user) {
    return user == null ? "" : user.trim().toLowerCase(Locale.ROOT);
  }
}
