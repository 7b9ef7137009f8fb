package org.roamstore.directory.messaging;

import jakarta.ejb.EJBException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbException;
import jakarta.validation.ConstraintViolationException;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.directory.failure.Clipped;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.failure.Violations;
import org.roamstore.directory.json.DirectoryJson;
import org.roamstore.directory.login.LoginRequest;
import org.roamstore.directory.login.LoginService;
import org.roamstore.directory.model.DirectoryUser;
import org.roamstore.directory.placement.PlacementService;
import org.roamstore.directory.placement.PlacementSettings;
import org.roamstore.directory.provisioning.ProvisioningService;
import org.roamstore.directory.provisioning.VolumeSpec;
import org.roamstore.directory.security.LoginThrottle;
import org.roamstore.directory.security.NewUser;
import org.roamstore.directory.security.UserDirectory;
import org.roamstore.directory.topology.DirectoryStartup;
import org.roamstore.directory.verify.VerifyOptions;
import org.roamstore.directory.verify.VerifyService;

/**
 * What a request on the directory's queue can ask. Every answer is a JSON object with {@code ok},
 * the {@code op}, the request's {@code requestId} when it gave one (for clients whose protocol
 * rewrites message ids, such as AMQP), and either {@code result} or {@code error} ({@code code},
 * {@code message}, {@code details}: the same codes as the REST API).
 *
 * <ul>
 *   <li>{@code ping}: {@code dataCenters} (how many the directory knows).
 *   <li>{@code login}: the body of {@code POST /api/login}; {@code networkInterface} is required,
 *       since a message has no client address. The result is the REST login answer.
 *   <li>{@code provision}: {@code admin} ({@code user}, {@code password} of a user with role admin)
 *       and {@code user} (as {@code POST /api/admin/users}) and/or {@code volume} (as {@code POST
 *       /api/admin/volumes}). A user is made before a volume, each in its own transaction.
 *   <li>{@code verify}: {@code admin} as for {@code provision}, {@code volume} (a name) and the
 *       options of {@code POST /api/volumes/{name}/verify} ({@code secondaries}, {@code
 *       rateMiBPerSecond}, {@code repair}) beside them. The result is that call's answer; the
 *       outcome comes later as the event {@code VERIFY_FINISHED}.
 *   <li>{@code addCopy}: {@code admin} as for {@code provision}, {@code volume}, {@code site} and,
 *       for a move, {@code replaces} (the copy dropped once the new one is complete), as {@code
 *       POST /api/admin/volumes/{name}/copies}. The result is the volume as that call answers it.
 *   <li>{@code dropCopy}: {@code admin}, {@code volume} and {@code site}, as {@code DELETE
 *       /api/admin/volumes/{name}/copies/{site}}. The result names the volume and the site.
 *   <li>{@code setPlacement}: {@code admin}, {@code volume} and the body of {@code PUT
 *       /api/admin/volumes/{name}/placement} ({@code mode}, {@code maxCopies}, {@code
 *       addAfterLogins}, {@code addAfterStayMinutes}) beside them. The result is the policy as that
 *       call answers it.
 * </ul>
 */
@ApplicationScoped
public class DirectoryRequests {
  private static final Logger LOG = Logger.getLogger(DirectoryRequests.class.getName());

  @Inject private DirectoryStartup topology;
  @Inject private LoginService logins;
  @Inject private ProvisioningService provisioning;
  @Inject private UserDirectory users;
  @Inject private LoginThrottle throttle;
  @Inject private VerifyService verifies;
  @Inject private PlacementService placement;

  public JsonObject handle(JsonObject request) {
    String op = request.get("op") instanceof jakarta.json.JsonString s ? s.getString() : "";
    String requestId =
        request.get("requestId") instanceof jakarta.json.JsonString s ? s.getString() : null;
    JsonObject answer;
    try {
      answer =
          switch (op) {
            case "ping" ->
                Json.createObjectBuilder()
                    .add("ok", true)
                    .add("op", op)
                    .add("dataCenters", topology.dataCenters().size())
                    .build();
            case "login" -> ok(op, login(request));
            case "provision" -> ok(op, provision(request));
            case "verify" -> ok(op, verify(request));
            case "addCopy" -> ok(op, addCopy(request));
            case "dropCopy" -> ok(op, dropCopy(request));
            case "setPlacement" -> ok(op, setPlacement(request));
            case "" -> error(op, "MALFORMED_REQUEST", "a request needs an 'op'", Map.of());
            default -> error(op, "UNKNOWN_OP", "unknown op '" + op + "'", Map.of());
          };
    } catch (RuntimeException e) {
      answer = failure(op, e);
    }
    if (requestId == null) {
      return answer;
    }
    return Json.createObjectBuilder(answer).add("requestId", requestId).build();
  }

  private JsonObject login(JsonObject request) {
    LoginRequest body =
        Binding.JSONB.fromJson(without(request, "op", "requestId"), LoginRequest.class);
    if (body.user() != null) {
      throttle.check(body.user());
    }
    // A message has no client address: the network interface must be named (the login says so).
    LoginRequest asked = body.fromAddress(null);
    try {
      JsonObject result = DirectoryJson.login(logins.login(asked));
      throttle.succeeded(body.user());
      return result;
    } catch (DirectoryException e) {
      if (e.code() == ErrorCode.AUTHENTICATION_FAILED) {
        throttle.failed(body.user());
      }
      throw e;
    }
  }

  private JsonObject provision(JsonObject request) {
    admin(request, "provisioning");
    JsonObject user = object(request, "user");
    JsonObject volume = object(request, "volume");
    if (user == null && volume == null) {
      throw new DirectoryException(
          ErrorCode.VALIDATION_FAILED, "provisioning needs a 'user', a 'volume' or both");
    }
    JsonObjectBuilder result = Json.createObjectBuilder();
    if (user != null) {
      DirectoryUser created = users.create(Binding.JSONB.fromJson(user.toString(), NewUser.class));
      var roles = Json.createArrayBuilder();
      created.roles().stream().sorted().forEach(roles::add);
      result.add(
          "user", Json.createObjectBuilder().add("name", created.name()).add("roles", roles));
    }
    if (volume != null) {
      result.add(
          "volume",
          DirectoryJson.volume(
              provisioning.create(Binding.JSONB.fromJson(volume.toString(), VolumeSpec.class))));
    }
    return result.build();
  }

  private JsonObject verify(JsonObject request) {
    DirectoryUser who = admin(request, "a verify");
    JsonValue volume = request.get("volume");
    if (!(volume instanceof jakarta.json.JsonString name)) {
      throw new DirectoryException(
          ErrorCode.VALIDATION_FAILED,
          "a verify needs 'volume': the name of a virtual volume",
          Map.of("volume", "must be a string"));
    }
    // A field of the wrong type is a JsonException: MALFORMED_REQUEST, as over REST.
    VerifyOptions options = VerifyOptions.fromJson(request);
    return DirectoryJson.verifyStart(verifies.start(name.getString(), options, who.name()));
  }

  private JsonObject addCopy(JsonObject request) {
    admin(request, "adding a copy");
    String volume = name(request, "volume", true);
    String site = name(request, "site", true);
    String replaces = name(request, "replaces", false);
    return DirectoryJson.volume(provisioning.addCopy(volume, site, replaces));
  }

  private JsonObject dropCopy(JsonObject request) {
    admin(request, "dropping a copy");
    String volume = name(request, "volume", true);
    String site = name(request, "site", true);
    provisioning.dropCopy(volume, site);
    return Json.createObjectBuilder()
        .add("volume", volume)
        .add("site", site)
        .add("dropped", true)
        .build();
  }

  private JsonObject setPlacement(JsonObject request) {
    admin(request, "setting a placement policy");
    String volume = name(request, "volume", true);
    PlacementSettings settings =
        Binding.JSONB.fromJson(
            without(request, "op", "requestId", "admin", "volume"), PlacementSettings.class);
    return DirectoryJson.placement(placement.set(volume, settings));
  }

  /** A name field: a string of 1 to 64 characters; null when absent and not required. */
  private static String name(JsonObject request, String key, boolean required) {
    JsonValue value = request.get(key);
    if ((value == null || value == JsonValue.NULL) && !required) {
      return null;
    }
    if (value instanceof jakarta.json.JsonString s
        && !s.getString().isEmpty()
        && s.getString().length() <= 64) {
      return s.getString();
    }
    throw new DirectoryException(
        ErrorCode.VALIDATION_FAILED,
        "'" + key + "' must be a name of 1 to 64 characters",
        Map.of(key, "must be a name of 1 to 64 characters"));
  }

  /** The sender's {@code admin} credentials, checked (and throttled) as a sign-in is. */
  private DirectoryUser admin(JsonObject request, String what) {
    JsonObject admin = object(request, "admin");
    if (admin == null) {
      throw new DirectoryException(
          ErrorCode.AUTHENTICATION_FAILED, what + " needs 'admin': {user, password}");
    }
    String name = admin.getString("user", null);
    if (name != null) {
      throttle.check(name);
    }
    DirectoryUser who =
        users
            .check(name, admin.getString("password", null))
            .orElseThrow(
                () -> {
                  throttle.failed(name);
                  return new DirectoryException(
                      ErrorCode.AUTHENTICATION_FAILED, "unknown user or wrong password");
                });
    throttle.succeeded(name);
    if (!who.isAdmin()) {
      throw new Forbidden(what + " needs the role admin");
    }
    return who;
  }

  /** JSON-B made on first use, so the pure parts of this class need no JSON-B provider. */
  private static final class Binding {
    static final Jsonb JSONB = JsonbBuilder.create();
  }

  /** Not a directory refusal (nothing in the directory decides roles for a message). */
  private static final class Forbidden extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Forbidden(String message) {
      super(message);
    }
  }

  private static JsonObject object(JsonObject request, String key) {
    JsonValue value = request.get(key);
    if (value == null || value == JsonValue.NULL) {
      return null;
    }
    if (value.getValueType() != JsonValue.ValueType.OBJECT) {
      throw new DirectoryException(ErrorCode.VALIDATION_FAILED, "'" + key + "' must be an object");
    }
    return value.asJsonObject();
  }

  private static String without(JsonObject request, String... keys) {
    JsonObjectBuilder copy = Json.createObjectBuilder(request);
    for (String k : keys) {
      copy.remove(k);
    }
    return copy.build().toString();
  }

  private static JsonObject ok(String op, JsonObject result) {
    return Json.createObjectBuilder().add("ok", true).add("op", op).add("result", result).build();
  }

  /** The same codes the REST API uses for the same failures. */
  static JsonObject failure(String op, Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof DirectoryException d) {
        return error(op, d.code().name(), d.getMessage(), d.details());
      }
      if (t instanceof ConstraintViolationException v) {
        Map<String, String> details = Violations.details(v);
        return error(
            op,
            ErrorCode.VALIDATION_FAILED.name(),
            "the request is not valid: " + details,
            details);
      }
      if (t instanceof Forbidden) {
        return error(op, "FORBIDDEN", t.getMessage(), Map.of());
      }
      if (t instanceof JsonbException || t instanceof JsonException) {
        return error(
            op,
            "MALFORMED_REQUEST",
            "the request is not the JSON expected: " + Clipped.text(t.getMessage()),
            Map.of());
      }
      if (!(t instanceof EJBException) && t.getCause() == null) {
        break;
      }
    }
    LOG.log(Level.WARNING, "unexpected failure answering a directory request", Clipped.failure(e));
    return error(op, "INTERNAL_ERROR", "unexpected failure: " + Clipped.text(e), Map.of());
  }

  static JsonObject error(String op, String code, String message, Map<String, String> details) {
    return Json.createObjectBuilder(DirectoryJson.error(code, message, details))
        .add("ok", false)
        .add("op", op)
        .build();
  }
}
