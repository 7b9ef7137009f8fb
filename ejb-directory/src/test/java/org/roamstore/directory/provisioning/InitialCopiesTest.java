package org.roamstore.directory.provisioning;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyGroupStatus.SecondaryStatus;
import org.roamstore.storage.api.CopyGroupStatus.State;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.TransferType;

class InitialCopiesTest {

  private static SecondaryStatus secondary(String system, State state) {
    return new SecondaryStatus(system, state, 0, 0, -1, 0, 100, null);
  }

  @Test
  void onlySecondariesThePrimaryReportsInSyncAreComplete() {
    CopyGroupStatus atPrimary =
        new CopyGroupStatus(
            new RealVolumeAddress("seattle", "v1"),
            "v1",
            CopyGroupStatus.Role.PRIMARY,
            1,
            TransferType.ASYNC,
            List.of(
                secondary("portland", State.IN_SYNC),
                secondary("sanfrancisco", State.RESYNCING),
                secondary("eugene", State.OUT_OF_SYNC),
                secondary("boise", State.LAGGING)),
            null);

    assertEquals(Set.of("portland"), InitialCopies.inSync(atPrimary));
  }

  @Test
  void aUnitThatIsNotThePrimaryVouchesForNobody() {
    CopyGroupStatus atSecondary =
        new CopyGroupStatus(
            new RealVolumeAddress("portland", "v1"),
            "v1",
            CopyGroupStatus.Role.SECONDARY,
            1,
            TransferType.ASYNC,
            List.of(),
            new CopyGroupStatus.Applied(1, 5, 5));

    assertEquals(Set.of(), InitialCopies.inSync(atSecondary));
  }
}
