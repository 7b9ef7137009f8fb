package org.roamstore.directory.security;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Passwords verified recently, so that a user who logs in again soon does not pay a PBKDF2
 * verification (thousands of HMAC rounds, most of a login's CPU) each time.
 *
 * <p>Never the password: per user name, an HMAC-SHA-256 of the stored hash and the password under a
 * random key made when the application starts and kept only in memory. A login matches an entry
 * only with the same password against the same stored hash, so a new password (or a re-hash) makes
 * the old entry useless at once, without anyone having to remember to drop it; {@link #forget}
 * drops it explicitly. Only successful verifications are remembered: a wrong password always pays
 * the full PBKDF2 price. Entries expire after {@link #LIFETIME} and at most {@link #CAPACITY} are
 * kept (least recently used go first).
 *
 * <p>The price: someone who can read this JVM's memory gets, for recently active users, a check of
 * a password guess that costs one HMAC instead of a PBKDF2. That reader also sees passwords in
 * flight, so this gives little away; the stored hashes in the database keep their full cost.
 */
@ApplicationScoped
public class VerifiedCredentials {
  static final int CAPACITY = 10_000;
  static final Duration LIFETIME = Duration.ofMinutes(10);
  private static final String ALGORITHM = "HmacSHA256";

  private record Entry(byte[] mac, Instant expiresAt) {}

  private final SecretKeySpec key;
  private final Clock clock;
  private final ThreadLocal<Mac> macs;

  private final Map<String, Entry> entries =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
          return size() > CAPACITY;
        }
      };

  public VerifiedCredentials() {
    this(Clock.systemUTC());
  }

  VerifiedCredentials(Clock clock) {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    this.key = new SecretKeySpec(secret, ALGORITHM);
    this.clock = clock;
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  /** Whether this user proved this password against this stored hash a short while ago. */
  public boolean matches(String user, String storedHash, String password) {
    Entry entry;
    synchronized (entries) {
      entry = entries.get(user);
    }
    if (entry == null) {
      return false;
    }
    if (!clock.instant().isBefore(entry.expiresAt())) {
      synchronized (entries) {
        entries.remove(user, entry);
      }
      return false;
    }
    return MessageDigest.isEqual(entry.mac(), mac(storedHash, password));
  }

  /** Remembers a password that was just verified against the stored hash the slow way. */
  public void remember(String user, String storedHash, String password) {
    Entry entry = new Entry(mac(storedHash, password), clock.instant().plus(LIFETIME));
    synchronized (entries) {
      entries.put(user, entry);
    }
  }

  /** Drops what is remembered of a user (a changed password, a removed user). */
  public void forget(String user) {
    synchronized (entries) {
      entries.remove(user);
    }
  }

  int size() {
    synchronized (entries) {
      return entries.size();
    }
  }

  private byte[] mac(String storedHash, String password) {
    Mac mac = macs.get();
    byte[] hash = storedHash.getBytes(StandardCharsets.UTF_8);
    // The hash's length first, so that no split of hash and password collides with another.
    mac.update(
        new byte[] {
          (byte) (hash.length >>> 24), (byte) (hash.length >>> 16),
          (byte) (hash.length >>> 8), (byte) hash.length
        });
    mac.update(hash);
    return mac.doFinal(password.getBytes(StandardCharsets.UTF_8));
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java runtime has " + ALGORITHM, e);
    }
  }
}
