package org.roamstore.directory.sites;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.model.NetworkInterface;
import org.roamstore.directory.model.Position;

class SiteAdditionsTest {
  private static final Position SEATTLE = new Position(47.6062, -122.3321);
  private static final Position BOISE = new Position(43.615, -116.2023);

  private static final List<DataCenter> SITES =
      List.of(new DataCenter("seattle", "Seattle", SEATTLE, "10.10.0.5", "seattle"));
  private static final List<NetworkInterface> INTERFACES =
      List.of(
          new NetworkInterface(
              "seattle", "Seattle", SEATTLE, List.of("10.10.0.0/16", "127.0.0.0/8")));

  private static NetworkInterface boise(String... cidrs) {
    return new NetworkInterface("boise", "Boise", BOISE, List.of(cidrs));
  }

  @Test
  void aNewNameAndStorageSystemJoin() {
    assertTrue(
        SiteAdditions.refusal(new DataCenter("boise", "Boise", BOISE, "h", "boise"), SITES)
            .isEmpty());
  }

  @Test
  void aTakenNameOrStorageSystemIsRefusedNamingTheField() {
    DirectoryException name =
        SiteAdditions.refusal(new DataCenter("seattle", "Boise", BOISE, "h", "boise"), SITES)
            .orElseThrow();
    DirectoryException system =
        SiteAdditions.refusal(new DataCenter("boise", "Boise", BOISE, "h", "seattle"), SITES)
            .orElseThrow();

    assertEquals(ErrorCode.DATA_CENTER_EXISTS, name.code());
    assertEquals("name", name.details().get("field"));
    assertEquals(ErrorCode.DATA_CENTER_EXISTS, system.code());
    assertEquals("storageSystem", system.details().get("field"));
  }

  @Test
  void interfacesWithTheirOwnRangesJoin() {
    assertTrue(SiteAdditions.refusal(List.of(boise("10.40.0.0/16")), INTERFACES).isEmpty());
  }

  @Test
  void aRangeOverlappingAKnownInterfaceIsRefusedNamingBoth() {
    DirectoryException refusal =
        SiteAdditions.refusal(List.of(boise("10.40.0.0/16", "10.10.7.0/24")), INTERFACES)
            .orElseThrow();

    assertEquals(ErrorCode.NETWORK_INTERFACE_CONFLICT, refusal.code());
    assertTrue(refusal.getMessage().contains("10.10.7.0/24 overlaps 10.10.0.0/16 of 'seattle'"));
  }

  @Test
  void newInterfacesMayNotOverlapEachOtherNorTakeAKnownName() {
    NetworkInterface nampa = new NetworkInterface("nampa", "Nampa", BOISE, List.of("10.40.1.0/24"));
    NetworkInterface taken =
        new NetworkInterface("seattle", "Boise", BOISE, List.of("10.41.0.0/16"));

    assertFalse(SiteAdditions.refusal(List.of(boise("10.40.0.0/16"), nampa), INTERFACES).isEmpty());
    assertTrue(
        SiteAdditions.refusal(List.of(taken), INTERFACES)
            .orElseThrow()
            .getMessage()
            .contains("named 'seattle' exists"));
  }

  @Test
  void differencesNameEachFieldThatDiffersAndNothingElse() {
    DataCenter file = new DataCenter("seattle", "Seattle", SEATTLE, "10.10.0.9", "seattle");

    assertEquals(
        List.of("hostServer: file 10.10.0.9, directory 10.10.0.5"),
        SiteAdditions.differences(file, SITES.get(0)));
    assertEquals(List.of(), SiteAdditions.differences(SITES.get(0), SITES.get(0)));
    assertEquals(
        List.of("cidrs: file [10.10.0.0/16], directory [10.10.0.0/16, 127.0.0.0/8]"),
        SiteAdditions.differences(
            new NetworkInterface("seattle", "Seattle", SEATTLE, List.of("10.10.0.0/16")),
            INTERFACES.get(0)));
  }

  @Test
  void aNewDataCentersInterfacesWithoutAPositionArePlacedAtIt() {
    NewDataCenter request =
        new NewDataCenter(
            "boise",
            "Boise",
            43.615,
            -116.2023,
            "10.40.0.5",
            "boise",
            List.of(
                new NewDataCenter.Interface("boise", "Boise", null, null, List.of("10.40.0.0/16")),
                new NewDataCenter.Interface(
                    "nampa", "Nampa", 43.54, -116.56, List.of("10.41.0.0/16"))));

    List<NetworkInterface> interfaces = request.interfaces();

    assertEquals(43.615, interfaces.get(0).position().latitude());
    assertEquals(43.54, interfaces.get(1).position().latitude());
    assertTrue(request.isInterfaceNamesDistinct());
    assertEquals("boise", request.dataCenter().storageSystem());
  }

  @Test
  void badRangesAndRepeatedNamesFailTheirChecks() {
    NewDataCenter.Interface bad =
        new NewDataCenter.Interface("x", "X", null, null, List.of("10.40.0.0/33"));
    NewDataCenter.Interface host =
        new NewDataCenter.Interface("y", "Y", null, null, List.of("example.com/8"));
    NewDataCenter.Interface half =
        new NewDataCenter.Interface("z", "Z", 1.0, null, List.of("10.0.0.0/8"));

    assertFalse(bad.isCidrsValid());
    assertFalse(host.isCidrsValid());
    assertFalse(half.isPositionWhole());
    assertFalse(
        new NewDataCenter("b", "B", 1.0, 1.0, "h", "b", List.of(half, half))
            .isInterfaceNamesDistinct());
  }
}
