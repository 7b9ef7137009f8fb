package org.roamstore.gateway.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Synchronizer tokens for the pages' forms: one random token per session, in every form as the
 * hidden field {@value #FIELD}, checked on every POST. The session cookie is SameSite=Strict as
 * well; the token covers browsers that ignore that.
 */
public final class Csrf {
  public static final String FIELD = "csrf";
  private static final String ATTRIBUTE = "roamstore.csrf";
  private static final SecureRandom RANDOM = new SecureRandom();

  private Csrf() {}

  /** The session's token, made (with the session) on first use. */
  public static String token(HttpServletRequest request) {
    HttpSession session = request.getSession(true);
    String token = (String) session.getAttribute(ATTRIBUTE);
    if (token == null) {
      token = fresh();
      session.setAttribute(ATTRIBUTE, token);
    }
    return token;
  }

  /** A new token after signing in, so one seen before cannot be replayed in the new session. */
  public static void rotate(HttpServletRequest request) {
    request.getSession(true).setAttribute(ATTRIBUTE, fresh());
  }

  public static boolean valid(HttpServletRequest request) {
    HttpSession session = request.getSession(false);
    String expected = session == null ? null : (String) session.getAttribute(ATTRIBUTE);
    return matches(expected, request.getParameter(FIELD));
  }

  static boolean matches(String expected, String given) {
    if (expected == null || given == null) {
      return false;
    }
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  private static String fresh() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
