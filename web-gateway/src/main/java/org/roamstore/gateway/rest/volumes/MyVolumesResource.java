package org.roamstore.gateway.rest.volumes;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.util.List;
import org.roamstore.directory.access.AccessService;
import org.roamstore.directory.access.BlockAccess;
import org.roamstore.directory.access.VolumeSummary;
import org.roamstore.gateway.rest.blocks.Bearer;

/** {@code GET /api/volumes} (the caller's volumes) and {@code POST /api/logout} (end an access). */
@Path("")
@Produces(MediaType.APPLICATION_JSON)
public class MyVolumesResource {

  @Inject private AccessService access;

  @Context private SecurityContext security;

  @GET
  @Path("volumes")
  public JsonObject myVolumes() {
    JsonArrayBuilder list = Json.createArrayBuilder();
    for (VolumeSummary v : access.volumesOf(security.getUserPrincipal().getName())) {
      JsonArrayBuilder sites = Json.createArrayBuilder();
      v.dataCenters().forEach(sites::add);
      list.add(
          Json.createObjectBuilder()
              .add("name", v.name())
              .add("sizeBytes", v.sizeBytes())
              .add("transferType", v.transferType())
              .add("primary", v.primary())
              .add("dataCenters", sites)
              .add("epoch", v.epoch()));
    }
    return Json.createObjectBuilder().add("volumes", list).build();
  }

  @POST
  @Path("logout")
  public Response logout(@HeaderParam("Authorization") String authorization) {
    String token = Bearer.token(authorization);
    BlockAccess grant = access.authorize(token);
    access.revoke(grant.user(), List.of(token));
    return Response.noContent().build();
  }
}
