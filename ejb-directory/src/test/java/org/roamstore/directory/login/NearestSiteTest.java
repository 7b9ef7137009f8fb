package org.roamstore.directory.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.roamstore.directory.model.Position;

class NearestSiteTest {
  private static final NearestSite.Site SEATTLE =
      new NearestSite.Site("seattle", new Position(47.6062, -122.3321), true);
  private static final NearestSite.Site PORTLAND =
      new NearestSite.Site("portland", new Position(45.5152, -122.6784), true);
  private static final NearestSite.Site SAN_FRANCISCO =
      new NearestSite.Site("sanfrancisco", new Position(37.7749, -122.4194), true);
  private static final List<NearestSite.Site> DEMO = List.of(SEATTLE, PORTLAND, SAN_FRANCISCO);

  @ParameterizedTest(name = "{0} -> {3}")
  @CsvSource({
    "seattle, 47.6062, -122.3321, seattle",
    "tacoma, 47.2529, -122.4443, seattle",
    "eugene, 44.0521, -123.0868, portland",
    "sacramento, 38.5816, -121.4944, sanfrancisco",
    "sanjose, 37.3382, -121.8863, sanfrancisco"
  })
  void eachDemoNetworkInterfaceGetsItsNearestSite(
      String via, double latitude, double longitude, String expected) {
    assertEquals(
        expected,
        NearestSite.choose(new Position(latitude, longitude), DEMO).orElseThrow().site().name());
  }

  @Test
  void aSiteThatIsDownIsSkipped() {
    NearestSite.Site seattleDown = new NearestSite.Site("seattle", SEATTLE.position(), false);

    NearestSite.Choice choice =
        NearestSite.choose(
                new Position(47.2529, -122.4443), List.of(seattleDown, PORTLAND, SAN_FRANCISCO))
            .orElseThrow();

    assertEquals("portland", choice.site().name());
    assertTrue(choice.kilometers() > 150 && choice.kilometers() < 250, "" + choice.kilometers());
  }

  @Test
  void aSiteStillCopyingIsNeverChosenEvenWhenNearest() {
    NearestSite.Site seattleCopying =
        new NearestSite.Site("seattle", SEATTLE.position(), true, true);
    Position tacoma = new Position(47.2529, -122.4443);

    assertEquals(
        "portland",
        NearestSite.choose(tacoma, List.of(seattleCopying, PORTLAND, SAN_FRANCISCO))
            .orElseThrow()
            .site()
            .name());
    assertTrue(
        NearestSite.choose(tacoma, List.of(seattleCopying)).isEmpty(),
        "a copy still copying is no candidate even when it is the only one up");
    assertEquals(
        "seattle",
        NearestSite.choose(tacoma, List.of(SEATTLE, PORTLAND)).orElseThrow().site().name(),
        "once in sync it is chosen again");
  }

  @Test
  void nothingIsChosenWhenEverySiteIsDown() {
    assertTrue(
        NearestSite.choose(
                new Position(0, 0), List.of(new NearestSite.Site("a", new Position(1, 1), false)))
            .isEmpty());
  }

  @Test
  void equalDistancesGoToTheFirstNameSoTheAnswerIsStable() {
    Position here = new Position(10, 10);
    List<NearestSite.Site> twins =
        List.of(
            new NearestSite.Site("zeta", new Position(11, 10), true),
            new NearestSite.Site("alpha", new Position(11, 10), true));

    assertEquals("alpha", NearestSite.choose(here, twins).orElseThrow().site().name());
  }
}
