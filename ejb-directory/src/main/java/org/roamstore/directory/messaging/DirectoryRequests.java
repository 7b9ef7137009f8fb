package org.roamstore.directory.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.roamstore.directory.topology.DirectoryStartup;

/** What a request on the directory's queue can ask; every answer is JSON with {@code ok}. */
@ApplicationScoped
public class DirectoryRequests {

  @Inject private DirectoryStartup topology;

  public JsonObject handle(JsonObject request) {
    String op = request.getString("op", "");
    return switch (op) {
      case "ping" ->
          Json.createObjectBuilder()
              .add("ok", true)
              .add("op", op)
              .add("dataCenters", topology.dataCenters().size())
              .build();
      case "" -> error("BAD_REQUEST", "a request needs an 'op'");
      default -> error("UNKNOWN_OP", "unknown op '" + op + "'");
    };
  }

  static JsonObject error(String code, String message) {
    return Json.createObjectBuilder()
        .add("ok", false)
        .add(
            "error",
            Json.createObjectBuilder().add("code", code).add("message", String.valueOf(message)))
        .build();
  }
}
