package org.roamstore.gateway.rest;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.json.DirectoryJson;

/** The one shape of every error the API returns: {@code {"error": {code, message, details}}}. */
public final class ErrorBody {
  private ErrorBody() {}

  public static Response response(
      int status, String code, String message, Map<String, String> details) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .entity(DirectoryJson.error(code, message, details))
        .build();
  }

  public static int status(ErrorCode code) {
    return switch (code.kind()) {
      case BAD_INPUT -> 400;
      case UNAUTHENTICATED -> 401;
      case FORBIDDEN -> 403;
      case NOT_FOUND -> 404;
      case CONFLICT -> 409;
      case RANGE -> 416;
      case THROTTLED -> 429;
      case UNAVAILABLE -> 503;
      case STORAGE_FAILED -> 502;
    };
  }
}
