package org.roamstore.gateway.rest.status;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.roamstore.directory.events.EventHistory;
import org.roamstore.directory.events.HistoryEntry;
import org.roamstore.directory.events.HistoryFilter;
import org.roamstore.directory.events.HistoryService;
import org.roamstore.directory.provisioning.VolumeSpec;
import org.roamstore.directory.security.NewUser;

/**
 * {@code GET /api/history[?volume=&user=&limit=]}: the directory's last events (logins, switches
 * with their time, forced takeovers, sites down and up, volumes, verifies) newest first, each as it
 * was published. Role admin. A malformed parameter is VALIDATION_FAILED (400); a volume or user
 * nobody knows is UNKNOWN_VOLUME / UNKNOWN_USER (404).
 */
@Path("history")
@Produces(MediaType.APPLICATION_JSON)
public class HistoryResource {
  static final int DEFAULT_LIMIT = 100;

  @Inject private HistoryService history;

  @GET
  public JsonObject history(
      @QueryParam("volume") @Pattern(regexp = VolumeSpec.NAME, message = "is not a volume name")
          String volume,
      @QueryParam("user") @Pattern(regexp = NewUser.NAME, message = "is not a user name")
          String user,
      // A string checked here: an int parameter that does not parse answers 404 in JAX-RS.
      @QueryParam("limit")
          @Pattern(regexp = "[1-9][0-9]{0,3}", message = "must be a number from 1 to 1000")
          String limit) {
    int max =
        limit == null ? DEFAULT_LIMIT : Math.min(Integer.parseInt(limit), EventHistory.CAPACITY);
    JsonArrayBuilder events = Json.createArrayBuilder();
    for (HistoryEntry e : history.select(new HistoryFilter(volume, user), max)) {
      events.add(e.event());
    }
    return Json.createObjectBuilder()
        .add("capacity", EventHistory.CAPACITY)
        .add("events", events)
        .build();
  }
}
