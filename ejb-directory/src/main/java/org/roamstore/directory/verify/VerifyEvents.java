package org.roamstore.directory.verify;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import org.roamstore.directory.access.ReplicationLag;
import org.roamstore.directory.events.DirectoryEvents;
import org.roamstore.directory.events.EventType;

/** The two events of a verify; their fields are listed in the ejb-directory README. */
final class VerifyEvents {
  private VerifyEvents() {}

  static JsonObject started(VerifyStart start) {
    JsonArrayBuilder secondaries = Json.createArrayBuilder();
    start.secondaries().keySet().forEach(secondaries::add);
    return DirectoryEvents.event(EventType.VERIFY_STARTED)
        .add("volume", start.volume())
        .add("by", start.requestedBy())
        .add("primary", start.primary())
        .add("epoch", start.epoch())
        .add("secondaries", secondaries)
        .add("repair", start.repair())
        .add("rateMiBPerSecond", start.rateMiBPerSecond())
        .build();
  }

  static JsonObject finished(VerifyRun run, OnlineVerify.Finished finished) {
    JsonArrayBuilder secondaries = Json.createArrayBuilder();
    for (OnlineVerify.Result r : finished.results()) {
      JsonObjectBuilder s =
          Json.createObjectBuilder()
              .add("dataCenter", r.dataCenter())
              .add("outcome", r.outcome())
              .add("repaired", r.repaired());
      ReplicationLag.Verify v = r.verify();
      if (v != null) {
        JsonArrayBuilder offsets = Json.createArrayBuilder();
        v.differingOffsets().forEach(offsets::add);
        s.add("differingRegions", v.differingRegions())
            .add("differingOffsets", offsets)
            .add("regionBytes", v.regionBytes())
            .add("bytesVerified", v.bytesVerified())
            .add("bytesTotal", v.bytesTotal())
            .add("startedAt", v.startedAt().toString());
        if (v.finishedAt() != null) {
          s.add("finishedAt", v.finishedAt().toString());
        }
      }
      if (r.detail() != null) {
        s.add("detail", r.detail());
      }
      secondaries.add(s);
    }
    return DirectoryEvents.event(EventType.VERIFY_FINISHED)
        .add("volume", run.volumeName())
        .add("by", run.requestedBy())
        .add("primary", run.primaryDataCenter())
        .add("epoch", run.epoch())
        .add("startedAt", run.startedAt().toString())
        .add("repair", run.repair())
        .add("outcome", finished.outcome())
        .add("secondaries", secondaries)
        .build();
  }
}
