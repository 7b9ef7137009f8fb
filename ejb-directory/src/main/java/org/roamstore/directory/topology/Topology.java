package org.roamstore.directory.topology;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.model.NetworkInterface;
import org.roamstore.directory.model.Position;

/** The contents of a topology file (JSON; see payara-config's demo-topology.json). */
public record Topology(List<DataCenter> dataCenters, List<NetworkInterface> networkInterfaces) {

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
                        n.getJsonArray("cidrs").getValuesAs(JsonString.class).stream()
                            .map(JsonString::getString)
                            .toList()))
            .toList();
    return new Topology(sites, interfaces);
  }

  private static Position position(JsonObject o) {
    return new Position(
        o.getJsonNumber("latitude").doubleValue(), o.getJsonNumber("longitude").doubleValue());
  }
}
