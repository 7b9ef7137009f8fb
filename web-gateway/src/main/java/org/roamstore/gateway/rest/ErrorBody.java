package org.roamstore.gateway.rest;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.roamstore.directory.failure.ErrorCode;

/** The one shape of every error the API returns. */
final class ErrorBody {
  private ErrorBody() {}

  static Response response(int status, String code, String message, Map<String, String> details) {
    JsonObjectBuilder detail = Json.createObjectBuilder();
    details.forEach(detail::add);
    JsonObject body =
        Json.createObjectBuilder()
            .add(
                "error",
                Json.createObjectBuilder()
                    .add("code", code)
                    .add("message", String.valueOf(message))
                    .add("details", detail))
            .build();
    return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build();
  }

  static int status(ErrorCode code) {
    return switch (code.kind()) {
      case BAD_INPUT -> 400;
      case UNAUTHENTICATED -> 401;
      case FORBIDDEN -> 403;
      case NOT_FOUND -> 404;
      case CONFLICT -> 409;
      case UNAVAILABLE -> 503;
      case STORAGE_FAILED -> 502;
    };
  }
}
