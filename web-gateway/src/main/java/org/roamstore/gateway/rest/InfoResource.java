package org.roamstore.gateway.rest;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.roamstore.directory.model.Installation;
import org.roamstore.directory.topology.DirectoryStartup;

/**
 * What this Roamstore is: its installation identity, the sites it knows and the network interfaces
 * a login may name.
 */
@Path("")
@Produces(MediaType.APPLICATION_JSON)
public class InfoResource {

  @Inject private DirectoryStartup directory;

  @GET
  @Path("info")
  public JsonObject info() {
    Installation installation = directory.installation();
    return Json.createObjectBuilder()
        .add("name", "Roamstore")
        .add("installation", installation.installationId())
        .add("since", installation.createdAt().toString())
        .add("dataCenters", directory.dataCenters().size())
        .add("networkInterfaces", directory.networkInterfaces().size())
        .build();
  }

  @GET
  @Path("sites")
  public JsonObject sites() {
    JsonArrayBuilder sites = Json.createArrayBuilder();
    directory
        .dataCenters()
        .forEach(
            d ->
                sites.add(
                    Json.createObjectBuilder()
                        .add("name", d.name())
                        .add("displayName", d.displayName())
                        .add("storageSystem", d.storageSystem())
                        .add("latitude", d.position().latitude())
                        .add("longitude", d.position().longitude())
                        .add("up", d.isUp())));
    return Json.createObjectBuilder().add("dataCenters", sites).build();
  }

  /** The ids a login's {@code networkInterface} takes (or their display names), with places. */
  @GET
  @Path("network-interfaces")
  public JsonObject networkInterfaces() {
    JsonArrayBuilder interfaces = Json.createArrayBuilder();
    directory
        .networkInterfaces()
        .forEach(
            n -> {
              JsonArrayBuilder cidrs = Json.createArrayBuilder();
              n.cidrs().forEach(cidrs::add);
              interfaces.add(
                  Json.createObjectBuilder()
                      .add("name", n.name())
                      .add("displayName", n.displayName())
                      .add("latitude", n.position().latitude())
                      .add("longitude", n.position().longitude())
                      .add("cidrs", cidrs));
            });
    return Json.createObjectBuilder().add("networkInterfaces", interfaces).build();
  }
}
