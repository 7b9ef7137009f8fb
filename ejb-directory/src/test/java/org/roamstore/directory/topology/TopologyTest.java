package org.roamstore.directory.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.model.DirectoryUser;

class TopologyTest {

  /** The demo topology the runtime ships, which `roamstore run` loads. */
  private static final Path DEMO =
      Path.of("../payara-config/runtime/src/main/roamstore/demo-topology.json");

  @Test
  void theDemoTopologyHasThreeSitesFiveInterfacesAnAdminAndTwoUsersWithVolumes() throws Exception {
    Topology demo = Topology.read(DEMO);

    assertEquals(3, demo.dataCenters().size());
    assertEquals(5, demo.networkInterfaces().size());
    assertTrue(
        demo.users().stream()
            .anyMatch(
                u -> u.name().equals("admin") && u.rolesOrDefault().contains(DirectoryUser.ADMIN)));
    assertEquals(
        2, demo.users().stream().filter(u -> !u.rolesOrDefault().contains("admin")).count());
    assertTrue(
        demo.volumes().stream()
            .allMatch(
                v ->
                    demo.users().stream().anyMatch(u -> u.name().equals(v.owner()))
                        && v.isSizeAligned()),
        "every demo volume has an owner from the file and an aligned size");
  }
}
