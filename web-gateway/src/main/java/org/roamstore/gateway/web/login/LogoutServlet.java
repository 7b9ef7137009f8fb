package org.roamstore.gateway.web.login;

import jakarta.inject.Inject;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import org.roamstore.directory.access.AccessService;
import org.roamstore.gateway.security.Caller;
import org.roamstore.gateway.security.Csrf;
import org.roamstore.gateway.security.GatewayAuthenticationMechanism;
import org.roamstore.gateway.web.Page;
import org.roamstore.gateway.web.volumes.SessionAccess;

/**
 * {@code POST /logout}: revokes every access the session's logins handed out (their bearer tokens
 * stop working and their NBD exports are removed), then ends the session.
 */
@WebServlet(urlPatterns = "/logout")
public class LogoutServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Inject private transient AccessService access;

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException, ServletException {
    if (!Csrf.valid(request)) {
      Page.formExpired(request, response);
      return;
    }
    Caller caller = GatewayAuthenticationMechanism.caller(request);
    int revoked = 0;
    if (caller != null) {
      revoked = access.revoke(caller.name(), SessionAccess.of(request).bearerTokens());
    }
    request.logout();
    HttpSession session = request.getSession(false);
    if (session != null) {
      session.invalidate();
    }
    response.sendRedirect(request.getContextPath() + "/login?signedOut=" + revoked);
  }
}
