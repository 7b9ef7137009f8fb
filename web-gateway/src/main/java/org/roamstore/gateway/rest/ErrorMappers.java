package org.roamstore.gateway.rest;

import jakarta.ejb.EJBException;
import jakarta.json.JsonException;
import jakarta.json.bind.JsonbException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;

/** Turns every failure into the API's JSON error; nothing leaks as an HTML page or a stack. */
final class ErrorMappers {
  private static final Logger LOG = Logger.getLogger(ErrorMappers.class.getName());

  private ErrorMappers() {}

  static Response directory(DirectoryException e) {
    Response plain =
        ErrorBody.response(
            ErrorBody.status(e.code()), e.code().name(), e.getMessage(), e.details());
    // The headers HTTP defines for these refusals, so generic clients understand them too.
    return switch (e.code()) {
      case TOO_MANY_ATTEMPTS ->
          Response.fromResponse(plain)
              .header("Retry-After", e.details().getOrDefault("retryAfterSeconds", "1"))
              .build();
      case RANGE_NOT_SATISFIABLE ->
          e.details().containsKey("sizeBytes")
              ? Response.fromResponse(plain)
                  .header("Content-Range", "bytes */" + e.details().get("sizeBytes"))
                  .build()
              : plain;
      case TOKEN_INVALID, TOKEN_REVOKED, TOKEN_EXPIRED ->
          Response.fromResponse(plain)
              .header("WWW-Authenticate", "Bearer realm=\"roamstore\", error=\"invalid_token\"")
              .build();
      default -> plain;
    };
  }

  static Response violations(ConstraintViolationException e) {
    Map<String, String> details = new TreeMap<>();
    e.getConstraintViolations()
        .forEach(
            v ->
                details.merge(
                    field(v.getPropertyPath().toString()), v.getMessage(), (a, b) -> a + "; " + b));
    return ErrorBody.response(
        400, ErrorCode.VALIDATION_FAILED.name(), "the request is not valid: " + details, details);
  }

  /**
   * "login.body.user" becomes "user" and "write.offset" (a query parameter) "offset": clients know
   * their fields, not our method names.
   */
  private static String field(String path) {
    String[] parts = path.split("\\.");
    if (parts.length == 2) {
      return parts[1];
    }
    return parts.length > 2
        ? String.join(".", java.util.Arrays.copyOfRange(parts, 2, parts.length))
        : path;
  }

  @Provider
  public static class Directory implements ExceptionMapper<DirectoryException> {
    @Override
    public Response toResponse(DirectoryException e) {
      return directory(e);
    }
  }

  @Provider
  public static class Validation implements ExceptionMapper<ConstraintViolationException> {
    @Override
    public Response toResponse(ConstraintViolationException e) {
      return violations(e);
    }
  }

  /** EJBs wrap what is not an application exception (validation of their parameters, bugs). */
  @Provider
  public static class Ejb implements ExceptionMapper<EJBException> {
    @Override
    public Response toResponse(EJBException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof DirectoryException d) {
          return directory(d);
        }
        if (t instanceof ConstraintViolationException v) {
          return violations(v);
        }
      }
      LOG.log(Level.WARNING, "unexpected failure behind the API", e);
      return ErrorBody.response(500, "INTERNAL_ERROR", "unexpected failure: " + e, Map.of());
    }
  }

  @Provider
  public static class BadJson implements ExceptionMapper<ProcessingException> {
    @Override
    public Response toResponse(ProcessingException e) {
      return ErrorBody.response(
          400,
          "MALFORMED_REQUEST",
          "the body is not the JSON expected: " + e.getMessage(),
          Map.of());
    }
  }

  @Provider
  public static class BadJsonb implements ExceptionMapper<JsonbException> {
    @Override
    public Response toResponse(JsonbException e) {
      return ErrorBody.response(
          400,
          "MALFORMED_REQUEST",
          "the body is not the JSON expected: " + e.getMessage(),
          Map.of());
    }
  }

  @Provider
  public static class BadJsonp implements ExceptionMapper<JsonException> {
    @Override
    public Response toResponse(JsonException e) {
      return ErrorBody.response(
          400, "MALFORMED_REQUEST", "the body is not JSON: " + e.getMessage(), Map.of());
    }
  }

  /** JAX-RS's own refusals (404 of an unknown path, 405, 415) keep their status. */
  @Provider
  public static class WebApplication implements ExceptionMapper<WebApplicationException> {
    @Override
    public Response toResponse(WebApplicationException e) {
      int status = e.getResponse().getStatus();
      String code =
          switch (status) {
            case 400 -> "MALFORMED_REQUEST";
            case 401 -> "AUTHENTICATION_FAILED";
            case 403 -> "FORBIDDEN";
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 415 -> "UNSUPPORTED_MEDIA_TYPE";
            default -> "HTTP_" + status;
          };
      return ErrorBody.response(status, code, e.getMessage(), Map.of());
    }
  }
}
