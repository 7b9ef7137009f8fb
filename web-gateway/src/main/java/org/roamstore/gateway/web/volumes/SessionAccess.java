package org.roamstore.gateway.web.volumes;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The logins made in one signed-in session: the latest per volume for the result page, and every
 * bearer token handed out, so sign-out can revoke all of them (a second login to the same volume
 * does not end the first one's access by itself).
 */
public final class SessionAccess implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final String ATTRIBUTE = "roamstore.access";

  private final Map<String, IssuedAccess> latest = new LinkedHashMap<>();
  private final List<String> tokens = new ArrayList<>();

  public static SessionAccess of(HttpServletRequest request) {
    HttpSession session = request.getSession(true);
    synchronized (session) {
      SessionAccess access = (SessionAccess) session.getAttribute(ATTRIBUTE);
      if (access == null) {
        access = new SessionAccess();
        session.setAttribute(ATTRIBUTE, access);
      }
      return access;
    }
  }

  public synchronized void add(IssuedAccess issued) {
    latest.put(issued.volume(), issued);
    tokens.add(issued.bearerToken());
  }

  public synchronized Optional<IssuedAccess> latest(String volume) {
    return Optional.ofNullable(latest.get(volume));
  }

  public synchronized List<String> bearerTokens() {
    return List.copyOf(tokens);
  }
}
