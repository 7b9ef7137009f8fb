package org.roamstore.directory.switching;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.copygroup.FakeStorage;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.TransferType;

class SynchronizeCacheDrainTest {
  private final FakeStorage portland = new FakeStorage("portland");
  private final CopyVolumeGroupInfo group =
      new CopyVolumeGroupInfo(
          "v1",
          TransferType.ASYNC,
          3,
          List.of("seattle", "portland", "sanfrancisco").stream()
              .map(s -> new CopyGroupMember(new RealVolumeAddress(s, "v1"), s.equals("portland")))
              .toList());

  @Test
  void oneSynchronizationWhenTheNewPrimaryIsInSync() {
    portland.inSync = Set.of("seattle", "sanfrancisco");

    new SynchronizeCacheDrain(new RunningDrains()).drain(portland, group, "seattle");

    assertEquals(List.of(Set.of()), portland.synchronizations);
  }

  @Test
  void anOutOfSyncNewPrimaryIsWaitedForByName() {
    portland.inSync = Set.of("sanfrancisco");

    new SynchronizeCacheDrain(new RunningDrains()).drain(portland, group, "seattle");

    assertEquals(List.of(Set.of(), Set.of("seattle")), portland.synchronizations);
  }
}
