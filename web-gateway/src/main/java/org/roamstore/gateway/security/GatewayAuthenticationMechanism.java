package org.roamstore.gateway.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.security.enterprise.credential.Credential;
import jakarta.security.enterprise.credential.UsernamePasswordCredential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStoreHandler;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.roamstore.directory.json.DirectoryJson;

/**
 * The gateway's one authentication mechanism (Jakarta Security 3 allows one per application), over
 * the directory's identity store:
 *
 * <ul>
 *   <li>the sign-in page authenticates programmatically ({@code SecurityContext.authenticate}); the
 *       caller is then kept in the session;
 *   <li>programs send HTTP Basic with every request, and no session is made for them;
 *   <li>a session also signs API requests, but only safe ones (GET, HEAD): the status page reads
 *       {@code /api/status} with its cookie, while nothing that changes state can be triggered by a
 *       cookie alone (no CSRF through the API);
 *   <li>an unauthenticated request for a protected page goes to the sign-in page, for a protected
 *       API path it gets 401 with a Basic challenge (and the JSON error page).
 * </ul>
 *
 * When HTTPS is required ({@link TransportSecurity}), a request on the plain port is redirected or
 * refused here, before any credential it carries is looked at: this mechanism runs before the
 * filters, for every request.
 *
 * <p>Bearer tokens of the block API are not identities of the gateway; those resources check them.
 */
@ApplicationScoped
public class GatewayAuthenticationMechanism implements HttpAuthenticationMechanism {
  static final String CALLER = "roamstore.caller";

  @Inject private IdentityStoreHandler identities;

  private final TransportSecurity transport = TransportSecurity.fromSystemProperties();

  @Override
  public AuthenticationStatus validateRequest(
      HttpServletRequest request, HttpServletResponse response, HttpMessageContext context) {
    if (!transport.admits(request.isSecure())) {
      return plain(request, response, context);
    }
    Credential given =
        context.isAuthenticationRequest() ? context.getAuthParameters().getCredential() : null;
    if (given != null) {
      CredentialValidationResult result = identities.validate(given);
      if (result.getStatus() != CredentialValidationResult.Status.VALID) {
        // Not responseUnauthorized(): that sends the JSON 401 page; the form shows the refusal.
        return AuthenticationStatus.SEND_FAILURE;
      }
      request
          .getSession(true)
          .setAttribute(
              CALLER, new Caller(result.getCallerPrincipal().getName(), result.getCallerGroups()));
      return context.notifyContainerAboutLogin(result);
    }

    String authorization = request.getHeader("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      Optional<UsernamePasswordCredential> basic = basic(authorization.substring(6).trim());
      if (basic.isPresent()) {
        CredentialValidationResult result = identities.validate(basic.get());
        if (result.getStatus() == CredentialValidationResult.Status.VALID) {
          return context.notifyContainerAboutLogin(result);
        }
      }
      return context.isProtected() ? challenge(response, context) : context.doNothing();
    }

    Caller caller = caller(request);
    if (caller != null && (!isApi(request) || isSafe(request.getMethod()))) {
      return context.notifyContainerAboutLogin(caller.name(), caller.groups());
    }
    if (!context.isProtected()) {
      return context.doNothing();
    }
    if (isApi(request)) {
      return challenge(response, context);
    }
    String path = request.getRequestURI().substring(request.getContextPath().length());
    if (request.getQueryString() != null) {
      path += "?" + request.getQueryString();
    }
    return context.redirect(
        request.getContextPath()
            + "/login?next="
            + URLEncoder.encode(path, StandardCharsets.UTF_8));
  }

  /** A request on the plain port while HTTPS is required: to the HTTPS port, or refused. */
  private AuthenticationStatus plain(
      HttpServletRequest request, HttpServletResponse response, HttpMessageContext context) {
    Optional<String> https =
        transport.redirect(
            request.getMethod(),
            request.getServerName(),
            request.getRequestURI(),
            request.getContextPath(),
            request.getQueryString());
    if (https.isPresent()) {
      return context.redirect(https.get());
    }
    String message =
        "this gateway takes requests over HTTPS only: "
            + transport.https(request.getServerName(), request.getRequestURI());
    try {
      response.setStatus(HttpServletResponse.SC_FORBIDDEN);
      response.setCharacterEncoding("UTF-8");
      if (isApi(request)) {
        response.setContentType("application/json");
        response
            .getWriter()
            .write(DirectoryJson.error("HTTPS_REQUIRED", message, Map.of()).toString());
      } else {
        response.setContentType("text/plain");
        response.getWriter().write(message + "\n");
      }
      response.flushBuffer();
    } catch (IOException e) {
      // The client went away; the request is refused all the same.
    }
    return AuthenticationStatus.SEND_FAILURE;
  }

  /** The caller signed in through the form, if this request's session has one. */
  public static Caller caller(HttpServletRequest request) {
    HttpSession session = request.getSession(false);
    return session == null ? null : (Caller) session.getAttribute(CALLER);
  }

  private static AuthenticationStatus challenge(
      HttpServletResponse response, HttpMessageContext context) {
    response.setHeader("WWW-Authenticate", "Basic realm=\"roamstore\", charset=\"UTF-8\"");
    return context.responseUnauthorized();
  }

  private static boolean isApi(HttpServletRequest request) {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    return path.startsWith("/api/") || path.equals("/api");
  }

  private static boolean isSafe(String method) {
    return "GET".equals(method) || "HEAD".equals(method);
  }

  static Optional<UsernamePasswordCredential> basic(String encoded) {
    try {
      String pair = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
      int colon = pair.indexOf(':');
      if (colon <= 0) {
        return Optional.empty();
      }
      return Optional.of(
          new UsernamePasswordCredential(pair.substring(0, colon), pair.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
