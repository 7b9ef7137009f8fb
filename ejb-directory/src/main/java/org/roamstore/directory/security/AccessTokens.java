package org.roamstore.directory.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The secrets a login hands out. An NBD export name is itself the key to the volume (NBD has no
 * authentication of its own), so both kinds carry 192 random bits.
 */
public final class AccessTokens {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder URL_SAFE = Base64.getUrlEncoder().withoutPadding();

  private AccessTokens() {}

  /**
   * A fresh NBD export name. It starts with a letter and uses only letters, digits, '-' and '_', as
   * storage ids must (see {@code org.roamstore.storage.api.Names}).
   */
  public static String newExportName() {
    return "x" + random(24);
  }

  /** A fresh bearer token for the REST block API. */
  public static String newBearerToken() {
    return random(32);
  }

  /** What the directory keeps of a bearer token: enough to recognise it, not to use it. */
  public static String hash(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static String random(int bytes) {
    byte[] buffer = new byte[bytes];
    RANDOM.nextBytes(buffer);
    return URL_SAFE.encodeToString(buffer);
  }
}
