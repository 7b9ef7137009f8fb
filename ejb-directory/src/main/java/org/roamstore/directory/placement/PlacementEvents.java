package org.roamstore.directory.placement;

import jakarta.json.JsonObjectBuilder;
import org.roamstore.directory.events.DirectoryEvents;
import org.roamstore.directory.events.EventType;
import org.roamstore.directory.model.PlacementMode;

/** The placement policy's events (README lists their fields). */
final class PlacementEvents {
  private PlacementEvents() {}

  /** PLACEMENT_ADD or PLACEMENT_DROP: a decision, carried out ({@code on}) or only shown. */
  static JsonObjectBuilder decided(String volume, PlacementMode mode, PlacementDecision d) {
    EventType type =
        d.action() == PlacementDecision.Action.ADD
            ? EventType.PLACEMENT_ADD
            : EventType.PLACEMENT_DROP;
    return DirectoryEvents.event(type)
        .add("volume", volume)
        .add("dataCenter", d.dataCenter())
        .add("mode", mode.label())
        .add("reason", d.reason());
  }

  /** PLACEMENT_FAILED: a decision of mode {@code on} that could not be carried out. */
  static JsonObjectBuilder failed(String volume, PlacementDecision d, String error) {
    return DirectoryEvents.event(EventType.PLACEMENT_FAILED)
        .add("volume", volume)
        .add("action", d.action().name())
        .add("dataCenter", d.dataCenter())
        .add("mode", PlacementMode.ON.label())
        .add("reason", d.reason())
        .add("error", error);
  }

  /** PLACEMENT_SET: an admin changed the policy. */
  static JsonObjectBuilder set(String volume, PlacementSettings s) {
    JsonObjectBuilder event =
        DirectoryEvents.event(EventType.PLACEMENT_SET).add("volume", volume).add("mode", s.mode());
    if (s.maxCopies() != null) {
      event.add("maxCopies", s.maxCopies().intValueExact());
    }
    if (s.addAfterLogins() != null) {
      event.add("addAfterLogins", s.addAfterLogins().intValueExact());
    }
    if (s.addAfterStayMinutes() != null) {
      event.add("addAfterStayMinutes", s.addAfterStayMinutes().intValueExact());
    }
    return event;
  }
}
