package org.roamstore.gateway.web.login;

import jakarta.inject.Inject;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.SecurityContext;
import jakarta.security.enterprise.authentication.mechanism.http.AuthenticationParameters;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import org.roamstore.directory.security.LoginThrottle;
import org.roamstore.gateway.security.Csrf;
import org.roamstore.gateway.security.GatewayAuthenticationMechanism;
import org.roamstore.gateway.web.Html;
import org.roamstore.gateway.web.Page;

/** {@code /login}: the sign-in form, and signing in with it. */
@WebServlet(urlPatterns = "/login")
public class LoginPageServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Inject private transient SecurityContext security;
  @Inject private transient LoginThrottle throttle;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (GatewayAuthenticationMechanism.caller(request) != null) {
      response.sendRedirect(Page.safeNext(request, request.getParameter("next"), "/volumes"));
      return;
    }
    String note =
        request.getParameter("signedOut") != null
            ? "You are signed out; the access of your logins was revoked ("
                + Html.escape(request.getParameter("signedOut"))
                + " grants)."
            : null;
    form(request, response, request.getParameter("user"), note, null);
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (!Csrf.valid(request)) {
      Page.formExpired(request, response);
      return;
    }
    String user = request.getParameter("user");
    String password = request.getParameter("password");
    if (user == null || user.isBlank() || password == null || password.isEmpty()) {
      form(request, response, user, null, "Enter your user name and password.");
      return;
    }
    Optional<Duration> wait = throttle.waitFor(user);
    if (wait.isPresent()) {
      long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
      response.setStatus(429);
      response.setHeader("Retry-After", Long.toString(seconds));
      form(
          request,
          response,
          user,
          null,
          "Too many failed sign-ins for this user. Try again in " + seconds + " s.");
      return;
    }
    AuthenticationStatus status =
        security.authenticate(
            request,
            response,
            AuthenticationParameters.withParams()
                .credential(new UsernamePasswordCredential(user.trim(), password))
                .newAuthentication(true));
    if (status == AuthenticationStatus.SUCCESS) {
      throttle.succeeded(user);
      // A new session id and CSRF token: whatever was known before signing in is worth nothing.
      request.changeSessionId();
      Csrf.rotate(request);
      response.sendRedirect(Page.safeNext(request, request.getParameter("next"), "/volumes"));
      return;
    }
    throttle.failed(user);
    form(request, response, user, null, "Unknown user or wrong password.");
  }

  private void form(
      HttpServletRequest request,
      HttpServletResponse response,
      String user,
      String note,
      String error)
      throws IOException {
    String next = request.getParameter("next");
    PrintWriter out = Page.open(request, response, "Sign in");
    out.println("<h1>Sign in</h1>");
    if (note != null) {
      out.printf("<p class=\"note\" id=\"note\">%s</p>%n", note);
    }
    if (error != null) {
      out.printf("<p class=\"error\" id=\"error\">%s</p>%n", Html.escape(error));
    }
    out.printf(
        "<form method=\"post\" action=\"%s/login\" id=\"sign-in\">%n", request.getContextPath());
    out.println(Page.csrfField(request));
    if (next != null) {
      out.printf("<input type=\"hidden\" name=\"next\" value=\"%s\">%n", Html.escape(next));
    }
    out.printf(
        "<label>User <input name=\"user\" id=\"user\" autocomplete=\"username\" required"
            + " value=\"%s\"></label>%n",
        Html.escape(user == null ? "" : user));
    out.println(
        "<label>Password <input type=\"password\" name=\"password\" id=\"password\""
            + " autocomplete=\"current-password\" required></label>");
    out.println("<button type=\"submit\" id=\"sign-in-button\">Sign in</button></form>");
    Page.close(out);
  }
}
