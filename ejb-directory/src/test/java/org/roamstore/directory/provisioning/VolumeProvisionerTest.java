package org.roamstore.directory.provisioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.copygroup.FakeStorage;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.switching.SwitchService;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.TransferType;

class VolumeProvisionerTest {
  private final FakeStorage seattle = new FakeStorage("seattle");
  private final FakeStorage portland = new FakeStorage("portland");
  private final FakeStorage sf = new FakeStorage("sanfrancisco");
  private final VolumeProvisioner provisioner =
      new VolumeProvisioner(
          FakeStorage.sites(seattle, portland, sf),
          new SwitchService(FakeStorage.sites(seattle, portland, sf), (old, group, next) -> {}));

  private static final CopyVolumeGroupInfo GROUP =
      new CopyVolumeGroupInfo(
          "v1",
          TransferType.SYNC,
          1,
          List.of(
              new CopyGroupMember(new RealVolumeAddress("seattle", "v1"), true),
              new CopyGroupMember(new RealVolumeAddress("portland", "v1"), false),
              new CopyGroupMember(new RealVolumeAddress("sanfrancisco", "v1"), false)));

  @Test
  void creationMakesTheVolumeAndTheGroupAtEverySite() {
    provisioner.create(GROUP, 1 << 20);

    for (FakeStorage unit : List.of(seattle, portland, sf)) {
      assertEquals(1L << 20, unit.volume("v1").orElseThrow().sizeBytes());
      assertEquals(GROUP, unit.volume("v1").orElseThrow().copyGroup().orElseThrow());
    }
  }

  @Test
  void aFailedCreationRemovesWhatWasMadeAndSaysWhere() {
    sf.failOn(op -> op.equals("createVolume"));

    DirectoryException e =
        assertThrows(DirectoryException.class, () -> provisioner.create(GROUP, 1 << 20));

    assertEquals(ErrorCode.PROVISIONING_FAILED, e.code());
    assertEquals("sanfrancisco", e.details().get("failedAt"));
    assertEquals("seattle,portland", e.details().get("removed"));
    assertTrue(seattle.sizes.isEmpty() && portland.sizes.isEmpty() && sf.sizes.isEmpty());
  }

  @Test
  void aFailedGroupDefinitionAlsoRemovesEveryVolume() {
    portland.failOn(op -> op.equals("defineCopyGroup"));

    DirectoryException e =
        assertThrows(DirectoryException.class, () -> provisioner.create(GROUP, 1 << 20));

    assertEquals("define the copy volume group", e.details().get("step"));
    assertTrue(seattle.sizes.isEmpty() && portland.sizes.isEmpty() && sf.sizes.isEmpty());
  }

  @Test
  void deletionRemovesEveryCopyAndCanBeRepeated() {
    provisioner.create(GROUP, 1 << 20);
    portland.sizes.remove("v1"); // already gone there, as after a delete that failed part way

    assertTrue(provisioner.delete(GROUP).isEmpty());
    assertTrue(seattle.sizes.isEmpty() && sf.sizes.isEmpty());
  }

  @Test
  void deletionReportsTheSitesItCouldNotReach() {
    provisioner.create(GROUP, 1 << 20);
    sf.failOn(op -> op.equals("deleteVolume"));

    assertEquals(List.of("sanfrancisco"), List.copyOf(provisioner.delete(GROUP).keySet()));
  }
}
