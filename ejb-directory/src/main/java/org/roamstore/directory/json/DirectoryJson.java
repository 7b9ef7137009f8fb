package org.roamstore.directory.json;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.Map;
import org.roamstore.directory.access.ReplicationLag;
import org.roamstore.directory.login.LoginResult;
import org.roamstore.directory.placement.PlacementDecision;
import org.roamstore.directory.placement.PlacementView;
import org.roamstore.directory.provisioning.VolumeView;
import org.roamstore.directory.verify.VerifyStart;

/** Renders the directory's results; field names are the public contract (ejb-directory README). */
public final class DirectoryJson {
  /**
   * Made once: {@code Json.createObjectBuilder()} looks the JSON-P provider up again on every call,
   * through the web application's class loader (a scan of its jars), which measured as a large part
   * of a login's CPU.
   */
  private static final JsonBuilderFactory JSON = Json.createBuilderFactory(Map.of());

  private DirectoryJson() {}

  /** {@code {"error": {"code", "message", "details"}}}. */
  public static JsonObject error(String code, String message, Map<String, String> details) {
    JsonObjectBuilder detail = JSON.createObjectBuilder();
    details.forEach(detail::add);
    return JSON.createObjectBuilder()
        .add(
            "error",
            JSON.createObjectBuilder()
                .add("code", code)
                .add("message", String.valueOf(message))
                .add("details", detail))
        .build();
  }

  public static JsonObject login(LoginResult r) {
    JsonObjectBuilder skipped = JSON.createObjectBuilder();
    r.skippedMembers().forEach(skipped::add);
    JsonObjectBuilder out =
        JSON.createObjectBuilder()
            .add("user", r.user())
            .add("volume", r.volume())
            .add("networkInterface", r.networkInterface())
            .add("outcome", r.outcome().name())
            .add("reason", r.reason().name())
            .add(
                "dataCenter",
                JSON.createObjectBuilder()
                    .add("name", r.dataCenter())
                    .add("displayName", r.dataCenterDisplayName())
                    .add("distanceKm", r.distanceKm()))
            .add(
                "realVolume",
                JSON.createObjectBuilder()
                    .add("address", r.realVolumeAddress())
                    .add("primary", true)
                    .add("hostServer", r.hostServer())
                    .add("storageSystem", r.storageSystem()))
            .add("epoch", r.epoch())
            .add("transferType", r.transferType())
            .add("sizeBytes", r.sizeBytes())
            .add(
                "nbd",
                JSON.createObjectBuilder()
                    .add("host", r.nbdHost())
                    .add("port", r.nbdPort())
                    .add("tls", r.nbdTls().text())
                    .add("export", r.exportName())
                    .add("uri", r.nbdUri()))
            .add("bearerToken", r.bearerToken())
            .add("expiresAt", r.expiresAt().toString())
            .add("revokedGrants", r.revokedGrants())
            .add("skippedMembers", skipped);
    if (r.previousPrimary() != null) {
      out.add("previousPrimary", r.previousPrimary());
    }
    if (r.possibleLoss() != null) {
      out.add("possibleLoss", r.possibleLoss());
    }
    if (r.switchTook() != null) {
      out.add("switchMillis", r.switchTook().toNanos() / 1_000_000.0);
    }
    return out.build();
  }

  public static JsonObject volume(VolumeView v) {
    JsonArrayBuilder members = JSON.createArrayBuilder();
    for (VolumeView.Member m : v.members()) {
      JsonObjectBuilder member =
          JSON.createObjectBuilder()
              .add("dataCenter", m.dataCenter())
              .add("address", m.address())
              .add("primary", m.primary())
              .add("copying", m.copying())
              .add("up", m.up());
      if (m.replaces() != null) {
        member.add("replaces", m.replaces());
      }
      JsonObjectBuilder storage = JSON.createObjectBuilder();
      if (m.storageEpoch() != null) {
        storage.add("epoch", m.storageEpoch()).add("primary", m.storagePrimary());
      }
      if (m.storageError() != null) {
        storage.add("error", m.storageError());
      }
      members.add(member.add("storage", storage));
    }
    JsonArrayBuilder switches = JSON.createArrayBuilder();
    for (VolumeView.Switch s : v.switches()) {
      JsonObjectBuilder sw =
          JSON.createObjectBuilder()
              .add("from", s.from())
              .add("to", s.to())
              .add("epoch", s.epoch())
              .add("user", s.user())
              .add("forced", s.forced())
              .add("at", s.at().toString());
      if (s.skippedMembers() != null && !s.skippedMembers().isEmpty()) {
        sw.add("skippedMembers", s.skippedMembers());
      }
      if (s.possibleLoss() != null) {
        sw.add("possibleLoss", s.possibleLoss());
      }
      switches.add(sw);
    }
    JsonObjectBuilder out =
        JSON.createObjectBuilder()
            .add("name", v.name())
            .add("owner", v.owner())
            .add("storageId", v.storageId())
            .add("sizeBytes", v.sizeBytes())
            .add("transferType", v.transferType())
            .add("takeoverPolicy", v.takeoverPolicy())
            .add("syncFailurePolicy", v.syncFailurePolicy())
            .add("minimumStaySeconds", v.minimumStaySeconds())
            .add("epoch", v.epoch())
            .add("activeGrants", v.activeGrants())
            .add("members", members)
            .add("switches", switches);
    if (v.lastSwitchAt() != null) {
      out.add("lastSwitchAt", v.lastSwitchAt().toString());
    }
    return out.build();
  }

  /**
   * A secondary's lag as its primary reports it; every figure null when storage does not ({@code
   * state} null). {@code verify} is null when the secondary was never verified (or nothing is
   * reported): the status never shows a verify that did not happen.
   */
  public static JsonObject lag(ReplicationLag.Lag lag) {
    JsonObjectBuilder out = JSON.createObjectBuilder();
    addOrNull(out, "state", lag.state());
    addOrNull(out, "pendingBytes", lag.pendingBytes());
    addOrNull(out, "pendingWrites", lag.pendingWrites());
    addOrNull(out, "seconds", lag.seconds());
    addOrNull(out, "outOfSyncBytes", lag.outOfSyncBytes());
    addOrNull(out, "resyncPercent", lag.resyncPercent());
    if (lag.verify() == null) {
      out.addNull("verify");
    } else {
      out.add("verify", verify(lag.verify()));
    }
    return out.build();
  }

  /** One secondary's running or last verify. */
  public static JsonObject verify(ReplicationLag.Verify v) {
    JsonArrayBuilder offsets = JSON.createArrayBuilder();
    v.differingOffsets().forEach(offsets::add);
    JsonObjectBuilder out =
        JSON.createObjectBuilder()
            .add("outcome", v.outcome())
            .add("startedAt", v.startedAt().toString());
    addOrNull(out, "finishedAt", v.finishedAt() == null ? null : v.finishedAt().toString());
    out.add("percent", v.percent())
        .add("bytesVerified", v.bytesVerified())
        .add("bytesTotal", v.bytesTotal())
        .add("regionBytes", v.regionBytes())
        .add("differingRegions", v.differingRegions())
        .add("differingOffsets", offsets)
        .add("repair", v.repair());
    addOrNull(out, "detail", v.detail());
    return out.build();
  }

  /** The answer to a started verify ({@code POST /api/volumes/{name}/verify}, op verify). */
  public static JsonObject verifyStart(VerifyStart start) {
    JsonArrayBuilder members = JSON.createArrayBuilder();
    start
        .secondaries()
        .forEach(
            (dataCenter, lag) ->
                members.add(
                    JSON.createObjectBuilder().add("dataCenter", dataCenter).add("lag", lag(lag))));
    return JSON.createObjectBuilder()
        .add("volume", start.volume())
        .add("primary", start.primary())
        .add("epoch", start.epoch())
        .add("startedAt", start.startedAt().toString())
        .add("by", start.requestedBy())
        .add("repair", start.repair())
        .add("rateMiBPerSecond", start.rateMiBPerSecond())
        .add("secondaries", members)
        .build();
  }

  /**
   * A volume's placement policy and its view ({@code GET /api/admin/volumes/{name}/placement}, and
   * per volume with a policy in {@code /api/status}): {@code mode}, its settings, {@code
   * recentNearest} (data center -> how many of the counted logins were nearest to it), {@code stay}
   * and {@code next} (what it would do now and why). Settings and view are null when off.
   */
  public static JsonObject placement(PlacementView p) {
    JsonObjectBuilder out =
        JSON.createObjectBuilder().add("volume", p.volume()).add("mode", p.mode());
    addOrNull(out, "maxCopies", p.maxCopies());
    addOrNull(out, "addAfterLogins", p.addAfterLogins());
    addOrNull(out, "addAfterStayMinutes", p.addAfterStayMinutes());
    JsonObjectBuilder nearest = JSON.createObjectBuilder();
    p.recentNearest().forEach(nearest::add);
    out.add("recentNearest", nearest);
    if (p.stayAt() == null) {
      out.addNull("stay");
    } else {
      out.add(
          "stay",
          JSON.createObjectBuilder()
              .add("dataCenter", p.stayAt())
              .add("since", p.staySince().toString()));
    }
    PlacementDecision next = p.next();
    if (next == null) {
      out.addNull("next");
    } else {
      JsonObjectBuilder n = JSON.createObjectBuilder().add("action", next.action().name());
      addOrNull(n, "dataCenter", next.dataCenter());
      out.add("next", n.add("reason", next.reason()));
    }
    return out.build();
  }

  private static void addOrNull(JsonObjectBuilder out, String key, Object value) {
    if (value == null) {
      out.addNull(key);
    } else if (value instanceof String text) {
      out.add(key, text);
    } else if (value instanceof Double d) {
      out.add(key, d);
    } else {
      out.add(key, ((Number) value).longValue());
    }
  }
}
