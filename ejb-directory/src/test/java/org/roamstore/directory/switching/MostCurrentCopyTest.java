package org.roamstore.directory.switching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.storage.api.CopyGroupStatus.Applied;
import org.roamstore.storage.api.CopyVolumeGroupInfo;

/** The choice of the copy a forced takeover promotes, on reported positions alone. */
class MostCurrentCopyTest {
  private static final CopyVolumeGroupInfo GROUP =
      Groups.of("portland", 3, List.of("seattle", "portland", "sanfrancisco", "eugene"));

  private static SwitchRequest takeoverBySeattle(boolean named) {
    return new SwitchRequest(GROUP, "seattle", Set.of(), true, Map.of(), named);
  }

  private static Applied at(long lastWrite) {
    return new Applied(3, lastWrite, lastWrite, 1, lastWrite, false);
  }

  @Test
  void theCopyThatGotFurthestIsTakenWithNothingToRecord() {
    Map<String, Applied> applied =
        Map.of("seattle", at(500), "sanfrancisco", at(499), "eugene", at(500));

    assertNull(MostCurrentCopy.moreCurrentThanNewPrimary(takeoverBySeattle(false), applied));
  }

  @Test
  void aCopyBehindAnotherIsRefusedNamingTheFurthestOfThoseAhead() {
    Map<String, Applied> applied =
        Map.of("seattle", at(400), "sanfrancisco", at(450), "eugene", at(480));

    DirectoryException e =
        assertThrows(
            DirectoryException.class,
            () -> MostCurrentCopy.moreCurrentThanNewPrimary(takeoverBySeattle(false), applied));

    assertEquals(ErrorCode.STALE_COPY, e.code());
    assertEquals("eugene", e.details().get("site"));
    assertTrue(e.getMessage().contains("Take over at eugene"), e.getMessage());
  }

  @Test
  void aCopyNamedExplicitlyIsTakenAndWhatWasMoreCurrentIsRecorded() {
    Map<String, Applied> applied = Map.of("seattle", at(400), "sanfrancisco", at(450));

    String recorded = MostCurrentCopy.moreCurrentThanNewPrimary(takeoverBySeattle(true), applied);

    assertTrue(recorded.startsWith("sanfrancisco has the old primary's write 450"), recorded);
    assertTrue(recorded.contains("seattle has the old primary's write 400"), recorded);
  }

  @Test
  void aCopyThatReportsNothingIsBehindOneThatReportsAPosition() {
    Map<String, Applied> applied = new HashMap<>();
    applied.put("sanfrancisco", at(10));

    DirectoryException e =
        assertThrows(
            DirectoryException.class,
            () -> MostCurrentCopy.moreCurrentThanNewPrimary(takeoverBySeattle(false), applied));

    assertEquals("reports no position in it", e.details().get("behind"));
  }

  @Test
  void aNewerEpochsStreamIsAheadWhateverItsWriteNumber() {
    Map<String, Applied> applied =
        Map.of("seattle", new Applied(2, 9000, 9000, 1, 9000, false), "sanfrancisco", at(1));

    DirectoryException e =
        assertThrows(
            DirectoryException.class,
            () -> MostCurrentCopy.moreCurrentThanNewPrimary(takeoverBySeattle(false), applied));

    assertEquals("sanfrancisco", e.details().get("site"));
  }

  @Test
  void aCopyToldItIsOutOfDateIsRefusedEvenWhenNoneIsAheadUnlessNamed() {
    Map<String, Applied> applied =
        Map.of("seattle", new Applied(3, 900, 900, 2, 1500, true), "sanfrancisco", at(1200));

    DirectoryException e =
        assertThrows(
            DirectoryException.class,
            () -> MostCurrentCopy.moreCurrentThanNewPrimary(takeoverBySeattle(false), applied));
    assertEquals(ErrorCode.STALE_COPY, e.code());
    assertTrue(e.getMessage().contains("Wait for the old primary"), e.getMessage());

    String recorded = MostCurrentCopy.moreCurrentThanNewPrimary(takeoverBySeattle(true), applied);
    assertTrue(recorded.contains("still being resynced"), recorded);
  }

  @Test
  void anUnknownWriteNumberIsSaidSo() {
    Map<String, Applied> applied =
        Map.of("seattle", new Applied(2, 41, 40), "sanfrancisco", new Applied(3, 5, 5));

    String recorded = MostCurrentCopy.moreCurrentThanNewPrimary(takeoverBySeattle(true), applied);

    assertTrue(recorded.contains("write (number unknown) of epoch 3"), recorded);
  }
}
