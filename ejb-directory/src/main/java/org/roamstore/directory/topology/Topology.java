package org.roamstore.directory.topology;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.model.NetworkInterface;
import org.roamstore.directory.model.Position;
import org.roamstore.directory.model.TakeoverPolicy;
import org.roamstore.directory.provisioning.VolumeSpec;
import org.roamstore.directory.security.NewUser;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.api.TransferType;

/**
 * The contents of a topology file (JSON; see payara-config's demo-topology.json). {@code users} and
 * {@code volumes} are optional; users' passwords are given in clear there and hashed when loaded,
 * which is fine for a demo file and nothing else.
 */
public record Topology(
    List<DataCenter> dataCenters,
    List<NetworkInterface> networkInterfaces,
    List<NewUser> users,
    List<VolumeSpec> volumes) {

  public static Topology read(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file);
        JsonReader json = Json.createReader(reader)) {
      return parse(json.readObject());
    } catch (RuntimeException e) {
      throw new IOException("topology file " + file + " is not valid: " + e.getMessage(), e);
    }
  }

  static Topology parse(JsonObject root) {
    List<DataCenter> sites =
        root.getJsonArray("dataCenters").getValuesAs(JsonObject.class).stream()
            .map(
                d ->
                    new DataCenter(
                        d.getString("name"),
                        d.getString("displayName"),
                        position(d),
                        d.getString("hostServer"),
                        d.getString("storageSystem")))
            .toList();
    List<NetworkInterface> interfaces =
        root.getJsonArray("networkInterfaces").getValuesAs(JsonObject.class).stream()
            .map(
                n ->
                    new NetworkInterface(
                        n.getString("name"),
                        n.getString("displayName"),
                        position(n),
                        strings(n.getJsonArray("cidrs"))))
            .toList();
    List<NewUser> users =
        optional(root, "users").stream()
            .map(
                u ->
                    new NewUser(
                        u.getString("name"),
                        u.getString("password"),
                        Set.copyOf(
                            u.containsKey("roles")
                                ? strings(u.getJsonArray("roles"))
                                : List.of("user"))))
            .toList();
    List<VolumeSpec> volumes =
        optional(root, "volumes").stream()
            .map(
                v ->
                    new VolumeSpec(
                        v.getString("name"),
                        v.getString("owner"),
                        v.getJsonNumber("sizeBytes").longValueExact(),
                        TransferType.valueOf(v.getString("transferType", "SYNC")),
                        strings(v.getJsonArray("sites")),
                        v.getString("primary", null),
                        TakeoverPolicy.valueOf(v.getString("takeoverPolicy", "TAKE_OVER")),
                        v.containsKey("minimumStaySeconds")
                            ? v.getJsonNumber("minimumStaySeconds").longValueExact()
                            : null,
                        SyncFailurePolicy.valueOf(
                            v.getString("syncFailurePolicy", "MARK_OUT_OF_SYNC"))))
            .toList();
    return new Topology(sites, interfaces, users, volumes);
  }

  private static List<JsonObject> optional(JsonObject root, String key) {
    return root.containsKey(key) ? root.getJsonArray(key).getValuesAs(JsonObject.class) : List.of();
  }

  private static List<String> strings(JsonArray array) {
    return array.getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
  }

  private static Position position(JsonObject o) {
    return new Position(
        o.getJsonNumber("latitude").doubleValue(), o.getJsonNumber("longitude").doubleValue());
  }
}
