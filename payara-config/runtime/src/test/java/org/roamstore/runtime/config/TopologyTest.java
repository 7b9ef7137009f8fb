package org.roamstore.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopologyTest {
  static final Path DEMO = Path.of("src/main/roamstore/demo-topology.json");

  @TempDir Path dir;

  @Test
  void theDemoTopologyHasItsThreeDataCentersInOrder() throws Exception {
    Topology topology = Topology.read(DEMO);
    assertEquals(List.of("seattle", "portland", "sanfrancisco"), topology.storageSystems());
    assertTrue(topology.hasStorageSystem("portland"));
  }

  @Test
  void malformedJsonNamesTheLine() throws Exception {
    String message = error("{\n  \"dataCenters\": [\n    { \"name\": \"a\" \n  ]\n}\n");
    assertTrue(message.contains(" line 4 "), message);
    assertTrue(message.contains("not valid JSON"), message);
  }

  @Test
  void aMissingFieldNamesItsPathAndTheLineOfItsObject() throws Exception {
    String message =
        error(
            "{\"dataCenters\": [\n"
                + site("a")
                + ",\n"
                + "{\"name\": \"b\", \"displayName\": \"B\", \"latitude\": 1, \"longitude\": 2,"
                + " \"hostServer\": \"h\"}\n"
                + "], \"networkInterfaces\": []}");
    assertTrue(message.endsWith("line 3: dataCenters[1].storageSystem: missing"), message);
  }

  @Test
  void aFieldOfTheWrongTypeIsNamedWithItsLine() throws Exception {
    String message =
        error(
            "{\"dataCenters\": [\n"
                + site("a").replace("\"latitude\": 1", "\n\"latitude\": \"north\"")
                + "], \"networkInterfaces\": []}");
    assertTrue(
        message.endsWith("line 3: dataCenters[0].latitude: must be a number, not a string"),
        message);
  }

  @Test
  void aStorageSystemThatCannotNameAPoolIsRefused() throws Exception {
    String message =
        error(
            "{\"dataCenters\": ["
                + site("a").replace("\"storageSystem\": \"a\"", "\"storageSystem\": \"a b\"")
                + "], \"networkInterfaces\": []}");
    assertTrue(message.contains("dataCenters[0].storageSystem: 'a b' is not a storage"), message);
  }

  @Test
  void aStorageSystemNamedTwiceIsRefused() throws Exception {
    String message =
        error(
            "{\"dataCenters\": ["
                + site("a")
                + ","
                + site("b").replace("\"storageSystem\": \"b\"", "\"storageSystem\": \"a\"")
                + "], \"networkInterfaces\": []}");
    assertTrue(message.contains("dataCenters[1].storageSystem: 'a' is named twice"), message);
  }

  @Test
  void noDataCenterIsRefused() throws Exception {
    String message = error("{\"dataCenters\": [], \"networkInterfaces\": []}");
    assertTrue(message.endsWith("dataCenters: holds no data center"), message);
  }

  @Test
  void aVolumeOnAnUnknownDataCenterIsRefused() throws Exception {
    String message =
        error(
            "{\"dataCenters\": ["
                + site("a")
                + "], \"networkInterfaces\": [],\n\"volumes\": [{\"name\": \"v\", \"owner\": \"o\","
                + " \"sizeBytes\": 1,\n \"sites\": [\"a\", \"tokyo\"]}]}");
    assertTrue(
        message.endsWith(
            "line 3: volumes[0].sites[1]: 'tokyo' is no data center of dataCenters ([a])"),
        message);
  }

  @Test
  void aMissingFileIsNamed() {
    ConfigException e =
        assertThrows(ConfigException.class, () -> Topology.read(dir.resolve("none.json")));
    assertTrue(e.getMessage().contains("none.json: cannot read it"), e.getMessage());
  }

  static String site(String name) {
    return "{\"name\": \""
        + name
        + "\", \"displayName\": \"X\", \"latitude\": 1, \"longitude\": 2, \"hostServer\": \"h\","
        + " \"storageSystem\": \""
        + name
        + "\"}";
  }

  private String error(String json) throws Exception {
    Path file = Files.writeString(dir.resolve("topology.json"), json);
    ConfigException e = assertThrows(ConfigException.class, () -> Topology.read(file));
    assertTrue(
        e.getMessage().startsWith("topology " + file) || e.getMessage().startsWith(file.toString()),
        e.getMessage());
    return e.getMessage();
  }
}
