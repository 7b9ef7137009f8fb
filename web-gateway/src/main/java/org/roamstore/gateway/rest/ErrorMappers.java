package org.roamstore.gateway.rest;

import jakarta.ejb.EJBException;
import jakarta.json.JsonException;
import jakarta.json.bind.JsonbException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Map;
import org.roamstore.directory.failure.Clipped;
import org.roamstore.directory.failure.DirectoryException;

/** Turns every failure into the API's JSON error; nothing leaks as an HTML page or a stack. */
final class ErrorMappers {
  private ErrorMappers() {}

  /**
   * JSON-B fails either way (wrapped by JAX-RS or not) on a body that does not bind. An unknown
   * enum constant is told by its field; otherwise the innermost message says the most, where
   * JAX-RS's own ("Error deserializing object from entity stream.") says nothing.
   */
  private static Response notTheJsonExpected(RuntimeException e, ResourceInfo resource) {
    return UnknownConstant.of(e, resource == null ? null : resource.getResourceMethod())
        .map(ApiError::toResponse)
        .orElseGet(
            () ->
                ErrorBody.response(
                    400,
                    "MALFORMED_REQUEST",
                    "the body is not the JSON expected: " + Clipped.text(innermostMessage(e)),
                    Map.of()));
  }

  private static String innermostMessage(Throwable e) {
    String message = e.getMessage();
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage();
      }
    }
    return message;
  }

  @Provider
  public static class Directory implements ExceptionMapper<DirectoryException> {
    @Override
    public Response toResponse(DirectoryException e) {
      return ApiError.of(e).toResponse();
    }
  }

  @Provider
  public static class Validation implements ExceptionMapper<ConstraintViolationException> {
    @Override
    public Response toResponse(ConstraintViolationException e) {
      return ApiError.of(e).toResponse();
    }
  }

  /** EJBs wrap what is not an application exception (validation of their parameters, bugs). */
  @Provider
  public static class Ejb implements ExceptionMapper<EJBException> {
    @Override
    public Response toResponse(EJBException e) {
      return ApiError.of(e).toResponse();
    }
  }

  @Provider
  public static class BadJson implements ExceptionMapper<ProcessingException> {
    @Context private ResourceInfo resource;

    @Override
    public Response toResponse(ProcessingException e) {
      return notTheJsonExpected(e, resource);
    }
  }

  @Provider
  public static class BadJsonb implements ExceptionMapper<JsonbException> {
    @Context private ResourceInfo resource;

    @Override
    public Response toResponse(JsonbException e) {
      return notTheJsonExpected(e, resource);
    }
  }

  @Provider
  public static class BadJsonp implements ExceptionMapper<JsonException> {
    @Override
    public Response toResponse(JsonException e) {
      return ErrorBody.response(
          400,
          "MALFORMED_REQUEST",
          "the body is not JSON: " + Clipped.text(e.getMessage()),
          Map.of());
    }
  }

  /**
   * What no other mapper takes, so that nothing under {@code /api} becomes the container's HTML
   * page and its logged stack: a bug, logged once with its messages clipped ({@link Clipped}).
   */
  @Provider
  public static class Unexpected implements ExceptionMapper<RuntimeException> {
    @Override
    public Response toResponse(RuntimeException e) {
      return ApiError.unexpected(e).toResponse();
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
