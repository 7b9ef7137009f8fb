package org.roamstore.directory.provisioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.copygroup.FakeStorage;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.switching.SwitchService;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.TransferType;

class CopyChangesTest {
  private final FakeStorage seattle = new FakeStorage("seattle");
  private final FakeStorage portland = new FakeStorage("portland");
  private final FakeStorage sf = new FakeStorage("sanfrancisco");

  /** Which unit was connected to, in order: every storage step is one connection. */
  private final List<String> connected = new ArrayList<>();

  private final StorageSites fakes = FakeStorage.sites(seattle, portland, sf);
  private final StorageSites sites =
      system -> {
        connected.add(system);
        return fakes.connect(system);
      };
  private final SwitchService switches = new SwitchService(sites, (old, group, next) -> {});
  private final VolumeProvisioner provisioner = new VolumeProvisioner(sites, switches);
  private final CopyChanges copies = new CopyChanges(provisioner, switches);

  private static final CopyVolumeGroupInfo TWO = group("seattle", "portland");
  private static final CopyVolumeGroupInfo THREE = group("seattle", "portland", "sanfrancisco");

  private static CopyVolumeGroupInfo group(String primary, String... secondaries) {
    List<CopyGroupMember> members = new ArrayList<>();
    members.add(new CopyGroupMember(new RealVolumeAddress(primary, "v1"), true));
    for (String s : secondaries) {
      members.add(new CopyGroupMember(new RealVolumeAddress(s, "v1"), false));
    }
    return new CopyVolumeGroupInfo("v1", TransferType.ASYNC, 3, members);
  }

  private void provisioned(CopyVolumeGroupInfo group) {
    provisioner.create(group, 1 << 20);
    connected.clear();
  }

  @Test
  void anAddedCopyIsMadeThenDefinedAtItselfTheOtherSecondariesAndThePrimaryLast() {
    provisioned(TWO);

    copies.add(TWO, THREE, "sanfrancisco", 1 << 20);

    assertEquals(
        List.of("sanfrancisco", "sanfrancisco", "portland", "seattle"),
        connected,
        "create, then define at the new member, the other secondary, the primary");
    for (FakeStorage unit : List.of(seattle, portland, sf)) {
      assertEquals(THREE, unit.groups.get("v1"), unit.system + " knows the new list");
      assertEquals(3, unit.groups.get("v1").epoch(), "at the same epoch");
    }
    assertEquals(1L << 20, sf.sizes.get("v1"));
  }

  @Test
  void anAddThatFailsAtThePrimaryPutsTheOldListBackAndRemovesTheNewVolume() {
    provisioned(TWO);
    seattle.failOn(op -> op.equals("defineCopyGroup"));

    DirectoryException e =
        assertThrows(
            DirectoryException.class, () -> copies.add(TWO, THREE, "sanfrancisco", 1 << 20));

    assertEquals(ErrorCode.PROVISIONING_FAILED, e.code());
    assertEquals("seattle", e.details().get("failedAt"));
    assertTrue(e.getMessage().contains("put back"), e.getMessage());
    assertEquals(TWO, portland.groups.get("v1"), "the secondary has the old list again");
    assertEquals(TWO, seattle.groups.get("v1"), "the primary never changed");
    assertTrue(sf.sizes.isEmpty() && sf.groups.isEmpty(), "the new real volume is gone");
  }

  @Test
  void anAddThatCannotCreateTheVolumeChangesNothing() {
    provisioned(TWO);
    sf.failOn(op -> op.equals("createVolume"));

    DirectoryException e =
        assertThrows(
            DirectoryException.class, () -> copies.add(TWO, THREE, "sanfrancisco", 1 << 20));

    assertTrue(e.getMessage().contains("nothing had been made"), e.getMessage());
    assertEquals(TWO, seattle.groups.get("v1"));
    assertEquals(TWO, portland.groups.get("v1"));
    assertEquals(List.of("sanfrancisco"), connected, "no other member was told anything");
  }

  @Test
  void aDroppedCopyLeavesThePrimaryFirstThenTheOthersThenItsVolumeIsDeleted() {
    provisioned(THREE);

    Map<String, String> left = copies.drop(THREE, TWO, "sanfrancisco");

    assertTrue(left.isEmpty(), left.toString());
    assertEquals(List.of("seattle", "portland", "sanfrancisco"), connected);
    assertEquals(TWO, seattle.groups.get("v1"));
    assertEquals(TWO, portland.groups.get("v1"));
    assertFalse(sf.sizes.containsKey("v1"), "the dropped member's real volume is deleted");
  }

  @Test
  void aDropThatFailsAtASecondaryPutsThePrimaryBackAndKeepsTheCopy() {
    provisioned(THREE);
    portland.failOn(op -> op.equals("defineCopyGroup"));

    DirectoryException e =
        assertThrows(DirectoryException.class, () -> copies.drop(THREE, TWO, "sanfrancisco"));

    assertEquals("portland", e.details().get("failedAt"));
    assertEquals(THREE, seattle.groups.get("v1"), "the primary sends to it again");
    assertEquals(THREE, sf.groups.get("v1"));
    assertTrue(sf.sizes.containsKey("v1"), "its real volume is kept");
  }

  @Test
  void aDroppedCopyWhoseVolumeCannotBeDeletedIsStillOutOfTheGroupAndSaysWhere() {
    provisioned(THREE);
    sf.failOn(op -> op.equals("deleteVolume"));

    Map<String, String> left = copies.drop(THREE, TWO, "sanfrancisco");

    assertEquals(List.of("sanfrancisco"), List.copyOf(left.keySet()));
    assertEquals(TWO, seattle.groups.get("v1"));
  }
}
