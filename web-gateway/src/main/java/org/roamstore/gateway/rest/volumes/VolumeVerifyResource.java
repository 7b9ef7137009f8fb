package org.roamstore.gateway.rest.volumes;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonValue;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.roamstore.directory.failure.Clipped;
import org.roamstore.directory.json.DirectoryJson;
import org.roamstore.directory.verify.VerifyOptions;
import org.roamstore.directory.verify.VerifyService;
import org.roamstore.gateway.rest.ErrorBody;

/**
 * {@code POST /api/volumes/{name}/verify}: starts an online verify of the volume's copies at its
 * primary and answers 202 with what the primary reports of each secondary being compared; the
 * progress and result show in {@code /api/status} and as the events {@code VERIFY_STARTED} and
 * {@code VERIFY_FINISHED}. Role admin (WEB-INF/web.xml, checked here again). The body is optional:
 * {@code {"secondaries": [...], "rateMiBPerSecond": n, "repair": bool}}.
 */
@Path("volumes/{name}/verify")
@Produces(MediaType.APPLICATION_JSON)
public class VolumeVerifyResource {
  /** Made once: {@code Json.createReader} looks the provider up again on every call. */
  private static final JsonReaderFactory JSON = Json.createReaderFactory(Map.of());

  /** A verify request has three small fields; anything much longer is not one. */
  static final int MAX_BODY_BYTES = 4096;

  @Inject private VerifyService verifies;

  @Context private SecurityContext security;

  @POST
  public Response verify(@PathParam("name") String name, InputStream body) throws IOException {
    if (!security.isUserInRole("admin")) {
      return ErrorBody.response(403, "FORBIDDEN", "a verify needs the role admin", Map.of());
    }
    VerifyOptions options;
    try {
      options = options(read(body));
    } catch (JsonException e) {
      return ErrorBody.response(
          400,
          "MALFORMED_REQUEST",
          "the body is not the JSON expected: " + e.getMessage(),
          Map.of());
    }
    return Response.status(202)
        .entity(
            DirectoryJson.verifyStart(
                verifies.start(name, options, security.getUserPrincipal().getName())))
        .build();
  }

  /** Reads at most one byte more than a request may have, so a huge body is refused unread. */
  private static String read(InputStream body) throws IOException {
    if (body == null) {
      return null;
    }
    byte[] bytes = body.readNBytes(MAX_BODY_BYTES + 1);
    if (bytes.length > MAX_BODY_BYTES) {
      throw new JsonException("a verify request is at most " + MAX_BODY_BYTES + " bytes");
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** No body, or a JSON object with the options; anything else is refused. */
  static VerifyOptions options(String body) {
    if (body == null || body.isBlank()) {
      return VerifyOptions.defaults();
    }
    JsonValue value;
    try (JsonReader reader = JSON.createReader(new StringReader(body))) {
      value = reader.readValue();
    } catch (JsonException e) {
      throw e;
    } catch (RuntimeException e) {
      // JSON-P refuses input nested deeper than it allows with a bare RuntimeException.
      throw new JsonException(Clipped.text(e.getMessage()));
    }
    if (value.getValueType() != JsonValue.ValueType.OBJECT) {
      throw new JsonException("the body must be a JSON object");
    }
    return VerifyOptions.fromJson(value.asJsonObject());
  }
}
