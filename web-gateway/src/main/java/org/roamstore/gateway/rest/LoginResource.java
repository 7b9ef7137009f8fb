package org.roamstore.gateway.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.json.DirectoryJson;
import org.roamstore.directory.login.LoginRequest;
import org.roamstore.directory.login.LoginResult;
import org.roamstore.directory.login.LoginService;
import org.roamstore.directory.security.LoginThrottle;
import org.roamstore.gateway.metrics.GatewayMetrics;

/**
 * {@code POST /api/login}: the log in process (Fig. 8) for programs. The body names the user,
 * password, volume and, optionally, the network interface; without one, the address the request
 * came from picks it. The answer is the real volume information and the access to it.
 *
 * <p>One instance for the application: it holds no state of a request, and a resource made per
 * request (JAX-RS's default) costs an instance, its injection and a new EJB proxy on every login.
 *
 * <p>The body is validated once, by {@link LoginService} (its boundary, also for the sign-in pages
 * and messaging); constraints here too made JAX-RS and CDI validate the same request again.
 */
@ApplicationScoped
@Path("login")
public class LoginResource {

  @Inject private LoginService logins;
  @Inject private LoginThrottle throttle;
  @Inject private GatewayMetrics metrics;

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public JsonObject login(LoginRequest body, @Context HttpServletRequest http) {
    if (body == null) {
      throw new DirectoryException(ErrorCode.VALIDATION_FAILED, "the request has no body");
    }
    throttle.check(body.user());
    // The client's address is what the server saw, never what the body claims.
    LoginRequest request =
        new LoginRequest(
            body.user(),
            body.password(),
            body.volume(),
            body.networkInterface(),
            http.getRemoteAddr(),
            body.force());
    long started = System.nanoTime();
    LoginResult result;
    try {
      result = logins.login(request);
    } catch (DirectoryException e) {
      if (e.code() == ErrorCode.AUTHENTICATION_FAILED) {
        throttle.failed(body.user());
      }
      throw e;
    }
    throttle.succeeded(body.user());
    metrics.loggedIn(result, Duration.ofNanos(System.nanoTime() - started));
    return DirectoryJson.login(result);
  }
}
