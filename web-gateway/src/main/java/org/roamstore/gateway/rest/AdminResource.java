package org.roamstore.gateway.rest;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
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
import org.roamstore.directory.json.DirectoryJson;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.model.DirectoryUser;
import org.roamstore.directory.model.NetworkInterface;
import org.roamstore.directory.placement.PlacementService;
import org.roamstore.directory.placement.PlacementSettings;
import org.roamstore.directory.provisioning.ProvisioningService;
import org.roamstore.directory.provisioning.VolumeSpec;
import org.roamstore.directory.security.NewUser;
import org.roamstore.directory.security.UserDirectory;
import org.roamstore.directory.sites.NewDataCenter;
import org.roamstore.directory.sites.SiteService;

/**
 * {@code /api/admin}: provisioning users and volumes, adding data centers and marking them down and
 * up. Role {@code admin} over HTTP Basic (WEB-INF/web.xml).
 */
@Path("admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

  @Inject private UserDirectory users;
  @Inject private ProvisioningService volumes;
  @Inject private SiteService sites;
  @Inject private PlacementService placement;

  /** Where to add a copy, as {@code POST /api/admin/volumes/{name}/copies} takes it. */
  public record CopySite(
      @NotNull @Size(min = 1, max = 64) String site, @Size(min = 1, max = 64) String replaces) {}

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
    return Response.status(201).entity(DirectoryJson.volume(volumes.create(spec))).build();
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
    return DirectoryJson.volume(volumes.describe(name, true));
  }

  @DELETE
  @Path("volumes/{name}")
  public Response deleteVolume(@PathParam("name") String name) {
    volumes.delete(name);
    return Response.noContent().build();
  }

  /**
   * Adds a copy at another data center while the volume is in use; it shows {@code copying} until
   * it is copied and verified, and no login makes it primary meanwhile. With {@code replaces}, a
   * move: the copy there is dropped once the new one is complete.
   */
  @POST
  @Path("volumes/{name}/copies")
  @Consumes(MediaType.APPLICATION_JSON)
  public Response addCopy(@PathParam("name") String name, @NotNull @Valid CopySite copy) {
    return Response.status(201)
        .entity(DirectoryJson.volume(volumes.addCopy(name, copy.site(), copy.replaces())))
        .build();
  }

  /** Drops a secondary copy and deletes it; never the primary nor the only copy. */
  @DELETE
  @Path("volumes/{name}/copies/{site}")
  public Response dropCopy(@PathParam("name") String name, @PathParam("site") String site) {
    volumes.dropCopy(name, site);
    return Response.noContent().build();
  }

  /**
   * Adds a data center at run time with its network interfaces; 201 with the data center as {@code
   * /api/sites} shows it and its interfaces as {@code /api/network-interfaces} does.
   */
  @POST
  @Path("datacenters")
  @Consumes(MediaType.APPLICATION_JSON)
  public Response addDataCenter(@NotNull @Valid NewDataCenter request) {
    DataCenter site = sites.add(request);
    JsonArrayBuilder interfaces = Json.createArrayBuilder();
    request.interfaces().forEach(n -> interfaces.add(json(n)));
    return Response.status(201)
        .entity(
            Json.createObjectBuilder()
                .add("name", site.name())
                .add("displayName", site.displayName())
                .add("storageSystem", site.storageSystem())
                .add("hostServer", site.hostServerAddress())
                .add("latitude", site.position().latitude())
                .add("longitude", site.position().longitude())
                .add("up", site.isUp())
                .add("networkInterfaces", interfaces)
                .build())
        .build();
  }

  /**
   * Removes a data center that holds no copy and serves no login (409 {@code DATA_CENTER_IN_USE}
   * otherwise, naming the volumes).
   */
  @DELETE
  @Path("datacenters/{name}")
  public Response removeDataCenter(@PathParam("name") String name) {
    sites.remove(name);
    return Response.noContent().build();
  }

  /** The volume's placement policy and what it sees now (mode {@code off} when none is set). */
  @GET
  @Path("volumes/{name}/placement")
  public JsonObject placement(@PathParam("name") String name) {
    return DirectoryJson.placement(placement.view(name));
  }

  /**
   * Sets the volume's placement policy: {@code {"mode": "off"|"dry-run"|"on", "maxCopies": N,
   * "addAfterLogins": K, "addAfterStayMinutes": T}}; answers as the {@code GET} does.
   */
  @PUT
  @Path("volumes/{name}/placement")
  @Consumes(MediaType.APPLICATION_JSON)
  public JsonObject setPlacement(
      @PathParam("name") String name, @NotNull @Valid PlacementSettings settings) {
    return DirectoryJson.placement(placement.set(name, settings));
  }

  @PUT
  @Path("sites/{name}")
  @Consumes(MediaType.APPLICATION_JSON)
  public JsonObject setSiteState(@PathParam("name") String name, @NotNull @Valid SiteState state) {
    DataCenter site = state.up() ? sites.markUp(name) : sites.markDown(name);
    return Json.createObjectBuilder().add("name", site.name()).add("up", site.isUp()).build();
  }

  private static JsonObject json(NetworkInterface n) {
    JsonArrayBuilder cidrs = Json.createArrayBuilder();
    n.cidrs().forEach(cidrs::add);
    return Json.createObjectBuilder()
        .add("name", n.name())
        .add("displayName", n.displayName())
        .add("latitude", n.position().latitude())
        .add("longitude", n.position().longitude())
        .add("cidrs", cidrs)
        .build();
  }

  private static JsonObject json(DirectoryUser user) {
    JsonArrayBuilder roles = Json.createArrayBuilder();
    user.roles().stream().sorted().forEach(roles::add);
    return Json.createObjectBuilder().add("name", user.name()).add("roles", roles).build();
  }
}
