package org.roamstore.gateway.rest;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.roamstore.directory.login.LoginRequest;
import org.roamstore.directory.login.LoginResult;
import org.roamstore.directory.login.LoginService;

/**
 * {@code POST /api/login}: the log in process (Fig. 8) for programs. The body names the user,
 * password, volume and, optionally, the network interface; without one, the address the request
 * came from picks it. The answer is the real volume information and the access to it.
 */
@Path("login")
public class LoginResource {

  @Inject private LoginService logins;

  @Context private HttpServletRequest http;

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public JsonObject login(@NotNull @Valid LoginRequest body) {
    // The client's address is what the server saw, never what the body claims.
    LoginRequest request =
        new LoginRequest(
            body.user(),
            body.password(),
            body.volume(),
            body.networkInterface(),
            http.getRemoteAddr(),
            body.force());
    return json(logins.login(request));
  }

  static JsonObject json(LoginResult r) {
    JsonObjectBuilder skipped = Json.createObjectBuilder();
    r.skippedMembers().forEach(skipped::add);
    JsonObjectBuilder out =
        Json.createObjectBuilder()
            .add("user", r.user())
            .add("volume", r.volume())
            .add("networkInterface", r.networkInterface())
            .add("outcome", r.outcome().name())
            .add("reason", r.reason().name())
            .add(
                "dataCenter",
                Json.createObjectBuilder()
                    .add("name", r.dataCenter())
                    .add("displayName", r.dataCenterDisplayName())
                    .add("distanceKm", r.distanceKm()))
            .add(
                "realVolume",
                Json.createObjectBuilder()
                    .add("address", r.realVolumeAddress())
                    .add("primary", true)
                    .add("hostServer", r.hostServer())
                    .add("storageSystem", r.storageSystem()))
            .add("epoch", r.epoch())
            .add("transferType", r.transferType())
            .add("sizeBytes", r.sizeBytes())
            .add(
                "nbd",
                Json.createObjectBuilder()
                    .add("host", r.nbdHost())
                    .add("port", r.nbdPort())
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
    return out.build();
  }
}
