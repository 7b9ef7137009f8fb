package org.roamstore.gateway.rest;

import jakarta.ejb.EJBException;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.ConstraintViolationException;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.roamstore.directory.failure.Clipped;
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
 * password, volume and, optionally, the network interface and {@code force}; without an interface,
 * the address the request came from picks it. The answer is the real volume information and the
 * access to it; a refusal is the API's JSON error ({@link ApiError}).
 *
 * <p>A servlet, not a JAX-RS resource like the rest of the API: the login is the one call made at a
 * high rate, and JAX-RS's request handling (resource matching, entity providers, its validation and
 * response processing) was a large part of the server's CPU per login (profiled under the login
 * benchmark). The body is validated once, by {@link LoginService}, its boundary for the sign-in
 * pages and messaging too. An exact servlet mapping takes the path before JAX-RS's {@code /api/*}.
 */
@WebServlet(urlPatterns = "/api/login")
public class LoginServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  /** Made once: {@code Json.createReader} looks the provider up again on every call. */
  private static final JsonReaderFactory JSON = Json.createReaderFactory(Map.of());

  @Inject private transient LoginService logins;
  @Inject private transient LoginThrottle throttle;
  @Inject private transient GatewayMetrics metrics;

  @Override
  protected void service(HttpServletRequest http, HttpServletResponse response) throws IOException {
    ApiError refused = null;
    if (!"POST".equals(http.getMethod())) {
      response.setHeader("Allow", "POST");
      refused = ApiError.of(405, "METHOD_NOT_ALLOWED", "use POST to log in", Map.of());
    } else if (!isJson(http.getContentType())) {
      refused =
          ApiError.of(
              415, "UNSUPPORTED_MEDIA_TYPE", "send the login as application/json", Map.of());
    }
    if (refused != null) {
      refused.write(response);
      return;
    }
    try {
      JsonObject answer = login(read(http), http.getRemoteAddr());
      response.setContentType("application/json");
      response.setCharacterEncoding("UTF-8");
      response.getWriter().write(answer.toString());
    } catch (DirectoryException e) {
      ApiError.of(e).write(response);
    } catch (EJBException e) {
      ApiError.of(e).write(response);
    } catch (ConstraintViolationException e) {
      ApiError.of(e).write(response);
    } catch (Malformed e) {
      ApiError.of(
              400,
              "MALFORMED_REQUEST",
              "the body is not the JSON expected: " + e.getMessage(),
              Map.of())
          .write(response);
    }
  }

  private JsonObject login(LoginRequest body, String remoteAddress) {
    if (body == null) {
      throw new DirectoryException(
          ErrorCode.VALIDATION_FAILED,
          "the request has no body: send a JSON object with user, password and volume"
              + " (networkInterface, force and forceAt are optional)",
          Map.of("user", "required", "password", "required", "volume", "required"));
    }
    throttle.check(body.user());
    // The client's address is what the server saw, never what the body claims.
    LoginRequest request = body.fromAddress(remoteAddress);
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

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    return type.equalsIgnoreCase("application/json");
  }

  /** The body as a login request; null when there is none. Unknown fields are ignored. */
  private static LoginRequest read(HttpServletRequest http) throws IOException {
    JsonValue value;
    try (JsonReader reader = JSON.createReader(http.getInputStream())) {
      value = reader.readValue();
    } catch (JsonException e) {
      if (http.getContentLengthLong() == 0) {
        return null;
      }
      throw new Malformed(Clipped.text(e.getMessage()));
    } catch (RuntimeException e) {
      // JSON-P's parser refuses input nested deeper than it allows (1000) with a bare
      // RuntimeException, not a JsonException; let through, it became Payara's HTML 500.
      throw new Malformed(Clipped.text(e.getMessage()));
    }
    if (value == JsonValue.NULL) {
      return null;
    }
    if (!(value instanceof JsonObject body)) {
      throw new Malformed("a JSON object is expected");
    }
    return new LoginRequest(
        string(body, "user"),
        string(body, "password"),
        string(body, "volume"),
        string(body, "networkInterface"),
        null,
        force(body),
        string(body, "forceAt"));
  }

  private static String string(JsonObject body, String name) {
    JsonValue value = body.get(name);
    if (value == null || value == JsonValue.NULL) {
      return null;
    }
    if (value instanceof JsonString s) {
      return s.getString();
    }
    throw new Malformed("'" + name + "' must be a string");
  }

  private static Boolean force(JsonObject body) {
    JsonValue value = body.get("force");
    if (value == null || value == JsonValue.NULL) {
      return null;
    }
    return switch (value.getValueType()) {
      case TRUE -> true;
      case FALSE -> false;
      default -> throw new Malformed("'force' must be true or false");
    };
  }

  /** A body that is not the JSON of a login. */
  private static final class Malformed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message, null, false, false);
    }
  }
}
