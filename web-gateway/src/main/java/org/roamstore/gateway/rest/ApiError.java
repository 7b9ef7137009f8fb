package org.roamstore.gateway.rest;

import jakarta.ejb.EJBException;
import jakarta.json.JsonObject;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.directory.failure.Clipped;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.failure.Violations;
import org.roamstore.directory.json.DirectoryJson;

/**
 * One refusal of the API: status, the HTTP headers its kind calls for, and the JSON error body. The
 * same for JAX-RS resources ({@link ErrorMappers}) and for the servlet that serves the login
 * ({@link LoginServlet}).
 */
record ApiError(int status, JsonObject body, Map<String, String> headers) {
  private static final Logger LOG = Logger.getLogger(ApiError.class.getName());

  static ApiError of(int status, String code, String message, Map<String, String> details) {
    return new ApiError(status, DirectoryJson.error(code, message, details), Map.of());
  }

  static ApiError of(DirectoryException e) {
    ApiError plain = of(ErrorBody.status(e.code()), e.code().name(), e.getMessage(), e.details());
    // The headers HTTP defines for these refusals, so generic clients understand them too.
    return switch (e.code()) {
      case TOO_MANY_ATTEMPTS ->
          plain.with("Retry-After", e.details().getOrDefault("retryAfterSeconds", "1"));
      case RANGE_NOT_SATISFIABLE ->
          e.details().containsKey("sizeBytes")
              ? plain.with("Content-Range", "bytes */" + e.details().get("sizeBytes"))
              : plain;
      case TOKEN_INVALID, TOKEN_REVOKED, TOKEN_EXPIRED ->
          plain.with("WWW-Authenticate", "Bearer realm=\"roamstore\", error=\"invalid_token\"");
      default -> plain;
    };
  }

  static ApiError of(ConstraintViolationException e) {
    Map<String, String> details = Violations.details(e);
    return of(
        400, ErrorCode.VALIDATION_FAILED.name(), "the request is not valid: " + details, details);
  }

  /** EJBs wrap what is not an application exception (validation of their parameters, bugs). */
  static ApiError of(EJBException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof DirectoryException d) {
        return of(d);
      }
      if (t instanceof ConstraintViolationException v) {
        return of(v);
      }
    }
    return unexpected(e);
  }

  /** A failure that is not a refusal: logged once, with its stack and its messages clipped. */
  static ApiError unexpected(RuntimeException e) {
    LOG.log(Level.WARNING, "unexpected failure behind the API", Clipped.failure(e));
    return of(500, "INTERNAL_ERROR", "unexpected failure: " + Clipped.text(e), Map.of());
  }

  private ApiError with(String header, String value) {
    return new ApiError(status, body, Map.of(header, value));
  }

  Response toResponse() {
    Response.ResponseBuilder response =
        Response.status(status).type(MediaType.APPLICATION_JSON).entity(body);
    headers.forEach(response::header);
    return response.build();
  }

  void write(HttpServletResponse response) throws IOException {
    response.setStatus(status);
    headers.forEach(response::setHeader);
    response.setContentType(MediaType.APPLICATION_JSON);
    response.setCharacterEncoding("UTF-8");
    response.getWriter().write(body.toString());
  }
}
