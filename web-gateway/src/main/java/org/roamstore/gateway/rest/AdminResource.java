package org.roamstore.gateway.rest;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.model.DirectoryUser;
import org.roamstore.directory.provisioning.ProvisioningService;
import org.roamstore.directory.provisioning.VolumeSpec;
import org.roamstore.directory.provisioning.VolumeView;
import org.roamstore.directory.security.NewUser;
import org.roamstore.directory.security.UserDirectory;
import org.roamstore.directory.sites.SiteService;

/**
 * {@code /api/admin}: provisioning users and volumes and marking sites down and up. Role {@code
 * admin} over HTTP Basic (WEB-INF/web.xml).
 */
@Path("admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

  @Inject private UserDirectory users;
  @Inject private ProvisioningService volumes;
  @Inject private SiteService sites;

  /** Whether a data center is up, as {@code PUT /api/admin/sites/{name}} takes it. */
  public record SiteState(@NotNull Boolean up) {}

  @POST
  @Path("users")
  @Consumes(MediaType.APPLICATION_JSON)
  public Response createUser(@NotNull @Valid NewUser user) {
    DirectoryUser created = users.create(user);
    return Response.status(201).entity(json(created)).build();
  }

  @GET
  @Path("users")
  public JsonObject listUsers() {
    JsonArrayBuilder list = Json.createArrayBuilder();
    users.all().forEach(u -> list.add(json(u)));
    return Json.createObjectBuilder().add("users", list).build();
  }

  @POST
  @Path("volumes")
  @Consumes(MediaType.APPLICATION_JSON)
  public Response createVolume(@NotNull @Valid VolumeSpec spec) {
    return Response.status(201).entity(json(volumes.create(spec))).build();
  }

  @GET
  @Path("volumes")
  public JsonObject listVolumes() {
    JsonArrayBuilder list = Json.createArrayBuilder();
    volumes.names().forEach(list::add);
    return Json.createObjectBuilder().add("volumes", list).build();
  }

  /** The directory's view and, member by member, what each storage control unit holds. */
  @GET
  @Path("volumes/{name}")
  public JsonObject describeVolume(@PathParam("name") String name) {
    return json(volumes.describe(name, true));
  }

  @DELETE
  @Path("volumes/{name}")
  public Response deleteVolume(@PathParam("name") String name) {
    volumes.delete(name);
    return Response.noContent().build();
  }

  @PUT
  @Path("sites/{name}")
  @Consumes(MediaType.APPLICATION_JSON)
  public JsonObject setSiteState(@PathParam("name") String name, @NotNull @Valid SiteState state) {
    DataCenter site = state.up() ? sites.markUp(name) : sites.markDown(name);
    return Json.createObjectBuilder().add("name", site.name()).add("up", site.isUp()).build();
  }

  private static JsonObject json(DirectoryUser user) {
    JsonArrayBuilder roles = Json.createArrayBuilder();
    user.roles().stream().sorted().forEach(roles::add);
    return Json.createObjectBuilder().add("name", user.name()).add("roles", roles).build();
  }

  static JsonObject json(VolumeView v) {
    JsonArrayBuilder members = Json.createArrayBuilder();
    for (VolumeView.Member m : v.members()) {
      JsonObjectBuilder member =
          Json.createObjectBuilder()
              .add("dataCenter", m.dataCenter())
              .add("address", m.address())
              .add("primary", m.primary())
              .add("up", m.up());
      JsonObjectBuilder storage = Json.createObjectBuilder();
      if (m.storageEpoch() != null) {
        storage.add("epoch", m.storageEpoch()).add("primary", m.storagePrimary());
      }
      if (m.storageError() != null) {
        storage.add("error", m.storageError());
      }
      members.add(member.add("storage", storage));
    }
    JsonArrayBuilder switches = Json.createArrayBuilder();
    for (VolumeView.Switch s : v.switches()) {
      JsonObjectBuilder sw =
          Json.createObjectBuilder()
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
        Json.createObjectBuilder()
            .add("name", v.name())
            .add("owner", v.owner())
            .add("storageId", v.storageId())
            .add("sizeBytes", v.sizeBytes())
            .add("transferType", v.transferType())
            .add("takeoverPolicy", v.takeoverPolicy())
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
}
