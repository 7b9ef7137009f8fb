package org.roamstore.gateway.rest.status;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.roamstore.directory.access.AccessService;
import org.roamstore.directory.access.SystemStatus;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.json.DirectoryJson;
import org.roamstore.directory.lag.LagHistory;

/**
 * {@code GET /api/status}: every site (position, up/down, cache), every network interface
 * (position) and every copy volume group (primary, epoch, what each member's storage holds, lag and
 * its last 15 minutes of samples, the running or last online verify per secondary, and the long
 * operations running with their progress, and for a volume with a placement policy its mode and
 * view). Role admin. Without remote copy at a storage unit, {@code lag} has every figure null
 * ({@code lagReported: false}); a secondary never verified has {@code verify: null}.
 */
@Path("status")
@Produces(MediaType.APPLICATION_JSON)
public class StatusResource {

  @Inject private AccessService access;
  @Inject private LagHistory lagHistory;

  @GET
  public JsonObject status() {
    return json(access.status());
  }

  @GET
  @Path("{volume}")
  public JsonObject copyGroup(@PathParam("volume") String volume) {
    return access.status().copyGroups().stream()
        .filter(g -> g.volume().equals(volume))
        .findFirst()
        .map(this::json)
        .orElseThrow(
            () ->
                new DirectoryException(
                    ErrorCode.UNKNOWN_VOLUME,
                    "no virtual volume named '" + volume + "'",
                    Map.of("volume", volume)));
  }

  private JsonObject json(SystemStatus status) {
    JsonArrayBuilder sites = Json.createArrayBuilder();
    for (SystemStatus.Site s : status.sites()) {
      JsonObjectBuilder site =
          Json.createObjectBuilder()
              .add("name", s.name())
              .add("displayName", s.displayName())
              .add("storageSystem", s.storageSystem())
              .add("latitude", s.latitude())
              .add("longitude", s.longitude())
              .add("up", s.up())
              .add("reachable", s.reachable())
              .add("volumes", s.volumes())
              .add("cacheCapacityBytes", s.cacheCapacityBytes())
              .add("cacheDirtyBytes", s.cacheDirtyBytes());
      if (s.error() != null) {
        site.add("error", s.error());
      }
      if (s.nbdHost() != null) {
        site.add("nbd", s.nbdHost() + ":" + s.nbdPort()).add("nbdTls", s.nbdTls());
      }
      sites.add(site);
    }
    JsonArrayBuilder interfaces = Json.createArrayBuilder();
    for (SystemStatus.NetworkInterface n : status.networkInterfaces()) {
      interfaces.add(
          Json.createObjectBuilder()
              .add("name", n.name())
              .add("displayName", n.displayName())
              .add("latitude", n.latitude())
              .add("longitude", n.longitude()));
    }
    JsonArrayBuilder groups = Json.createArrayBuilder();
    status.copyGroups().forEach(g -> groups.add(json(g)));
    return Json.createObjectBuilder()
        .add("at", status.at().toString())
        .add("lagReported", lagReported(status))
        .add("lagSampleSeconds", LagHistory.INTERVAL.toSeconds())
        .add("sites", sites)
        .add("networkInterfaces", interfaces)
        .add("copyGroups", groups)
        .build();
  }

  /** Whether storage reported lag for any secondary; false without remote copy. */
  private static boolean lagReported(SystemStatus status) {
    return status.copyGroups().stream()
        .flatMap(g -> g.members().stream())
        .map(SystemStatus.Member::lag)
        .anyMatch(l -> l != null && l.reported());
  }

  private JsonObject json(SystemStatus.CopyGroup g) {
    JsonArrayBuilder members = Json.createArrayBuilder();
    for (SystemStatus.Member m : g.members()) {
      JsonObjectBuilder member =
          Json.createObjectBuilder()
              .add("dataCenter", m.dataCenter())
              .add("primary", m.primary())
              .add("up", m.up())
              .add("copying", m.copying());
      if (m.replaces() != null) {
        member.add("replaces", m.replaces());
      }
      JsonObjectBuilder storage = Json.createObjectBuilder();
      if (m.storageEpoch() != null) {
        storage.add("epoch", m.storageEpoch()).add("primary", m.storagePrimary());
      }
      if (m.error() != null) {
        storage.add("error", m.error());
      }
      member.add("storage", storage);
      if (m.lag() != null) {
        member
            .add("lag", DirectoryJson.lag(m.lag()))
            .add("lagSamples", LagSamplesJson.of(lagHistory.samples(g.volume(), m.dataCenter())));
      }
      members.add(member);
    }
    JsonObjectBuilder out =
        Json.createObjectBuilder()
            .add("volume", g.volume())
            .add("owner", g.owner())
            .add("groupId", g.groupId())
            .add("transferType", g.transferType())
            .add("epoch", g.epoch())
            .add("primary", g.primary())
            .add("activeGrants", g.activeGrants())
            .add("members", members)
            .add("operations", operations(g.operations()));
    if (g.lastSwitchAt() != null) {
      out.add("lastSwitchAt", g.lastSwitchAt().toString());
    }
    if (g.placement() != null) {
      out.add("placement", DirectoryJson.placement(g.placement()));
    }
    return out.build();
  }

  private static JsonArrayBuilder operations(List<SystemStatus.Operation> operations) {
    JsonArrayBuilder out = Json.createArrayBuilder();
    for (SystemStatus.Operation o : operations) {
      JsonObjectBuilder op =
          Json.createObjectBuilder().add("kind", o.kind()).add("dataCenter", o.dataCenter());
      if (o.from() != null) {
        op.add("from", o.from());
      }
      if (o.percent() == null) {
        op.addNull("percent");
      } else {
        op.add("percent", o.percent());
      }
      if (o.startedAt() != null) {
        op.add("startedAt", o.startedAt().toString());
      }
      out.add(op);
    }
    return out;
  }
}
