package org.roamstore.directory.security;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.identitystore.Pbkdf2PasswordHash;
import java.util.Map;

/**
 * Jakarta Security's PBKDF2 hash, configured once. A stored hash carries its own algorithm,
 * iterations and salt, so raising {@value #ITERATIONS_PROPERTY} later affects new passwords only
 * and old ones still verify.
 */
@ApplicationScoped
public class PasswordHasher {
  public static final String ITERATIONS_PROPERTY = "roamstore.password.iterations";

  /**
   * Each login verifies one hash, so this is a trade between brute-force cost and logins per
   * second; 4096 rounds of HMAC-SHA-256 take a few milliseconds on one core.
   */
  static final String DEFAULT_ITERATIONS = "4096";

  @Inject private Pbkdf2PasswordHash pbkdf2;

  /** A hash of a password nobody has, to spend the same time on unknown users as on known. */
  private String decoy;

  @PostConstruct
  void configure() {
    pbkdf2.initialize(
        Map.of(
            "Pbkdf2PasswordHash.Algorithm", "PBKDF2WithHmacSHA256",
            "Pbkdf2PasswordHash.Iterations",
                System.getProperty(ITERATIONS_PROPERTY, DEFAULT_ITERATIONS),
            "Pbkdf2PasswordHash.SaltSizeBytes", "32",
            "Pbkdf2PasswordHash.KeySizeBytes", "32"));
    decoy = pbkdf2.generate(AccessTokens.newBearerToken().toCharArray());
  }

  public String hash(String password) {
    return pbkdf2.generate(password.toCharArray());
  }

  public boolean verify(String password, String hash) {
    return pbkdf2.verify(password.toCharArray(), hash);
  }

  /** Spends a verification's time and says no; for users that do not exist. */
  public boolean verifyNobody(String password) {
    pbkdf2.verify(password.toCharArray(), decoy);
    return false;
  }
}
