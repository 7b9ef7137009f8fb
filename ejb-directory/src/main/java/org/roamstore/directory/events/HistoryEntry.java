package org.roamstore.directory.events;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Instant;

/**
 * One directory event as the history keeps it: the fields it is filtered and ordered by, and the
 * event itself as published.
 *
 * @param volume the volume it concerns; null for events of a data center
 * @param user who caused it (a login's user, a switch's user, a verify's requester); null when
 *     nobody did (a site watch's decision)
 */
public record HistoryEntry(
    String id, String type, Instant at, String volume, String user, JsonObject event) {

  /** Reads the fields every event type names the same way; a verify's requester is {@code by}. */
  public static HistoryEntry of(JsonObject event) {
    String user = text(event, "user");
    return new HistoryEntry(
        event.getString("id"),
        event.getString("type"),
        Instant.parse(event.getString("at")),
        text(event, "volume"),
        user != null ? user : text(event, "by"),
        event);
  }

  private static String text(JsonObject event, String field) {
    JsonValue v = event.get(field);
    return v instanceof JsonString s ? s.getString() : null;
  }
}
