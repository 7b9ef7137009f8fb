package org.roamstore.directory.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.model.Position;
import org.roamstore.directory.placement.PlacementDecision.Action;
import org.roamstore.directory.placement.PlacementFacts.Copy;

class PlacementRuleTest {
  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
  private static final Map<String, Position> WEST_COAST =
      Map.of(
          "seattle", new Position(47.6062, -122.3321),
          "portland", new Position(45.5152, -122.6784),
          "sanfrancisco", new Position(37.7749, -122.4194));
  private static final List<String> ALL_UP = List.of("portland", "sanfrancisco", "seattle");

  /** Seattle primary, Portland secondary, at most {@code max}, a copy after {@code k} logins. */
  private static PlacementFacts facts(int max, int k, List<String> newestFirst) {
    return facts(
        max,
        k,
        List.of(new Copy("seattle", true, false), new Copy("portland", false, false)),
        newestFirst);
  }

  private static PlacementFacts facts(int max, int k, List<Copy> copies, List<String> newestFirst) {
    return new PlacementFacts(
        "v",
        max,
        k,
        Optional.empty(),
        copies,
        WEST_COAST,
        ALL_UP,
        newestFirst.subList(0, Math.min(k, newestFirst.size())),
        Optional.empty(),
        NOW);
  }

  /** Feeds logins one by one (oldest first), as the service does; the decision after each. */
  private static List<PlacementDecision> series(int max, int k, String... loginsNearest) {
    List<String> newestFirst = new ArrayList<>();
    List<PlacementDecision> out = new ArrayList<>();
    for (String near : loginsNearest) {
      newestFirst.add(0, near);
      out.add(PlacementRule.decide(facts(max, k, newestFirst)));
    }
    return out;
  }

  @Test
  void kLoginsInARowNearestToADataCenterWithoutACopyAddOneThere() {
    List<PlacementDecision> d =
        series(
            3,
            3,
            "sanfrancisco",
            "sanfrancisco",
            "seattle",
            "sanfrancisco",
            "sanfrancisco",
            "sanfrancisco");
    assertEquals(
        List.of(Action.NONE, Action.NONE, Action.NONE, Action.NONE, Action.NONE, Action.ADD),
        d.stream().map(PlacementDecision::action).toList());
    assertEquals("sanfrancisco", d.get(5).dataCenter());
    assertEquals(
        "3 of the last 3 logins nearest to sanfrancisco, which holds no copy", d.get(5).reason());
    assertEquals(
        "2 of the last 3 logins nearest to sanfrancisco, which holds no copy; 3 in a row add one",
        d.get(4).reason());
    assertEquals("the last login was nearest to seattle, which holds a copy", d.get(2).reason());
  }

  @Test
  void loginsNearestToACopyAddNothing() {
    assertTrue(
        series(2, 1, "seattle", "portland", "seattle").stream()
            .allMatch(x -> x.action() == Action.NONE));
  }

  @Test
  void aDataCenterThatIsDownGetsNoCopy() {
    PlacementFacts f =
        new PlacementFacts(
            "v",
            3,
            1,
            Optional.empty(),
            List.of(new Copy("seattle", true, false)),
            WEST_COAST,
            List.of("seattle", "portland"),
            List.of("sanfrancisco"),
            Optional.empty(),
            NOW);
    PlacementDecision d = PlacementRule.decide(f);
    assertEquals(Action.NONE, d.action());
    assertEquals("the last login was nearest to sanfrancisco, which is down", d.reason());
  }

  @Test
  void aStayOfTAddsACopyBeforeKLogins() {
    PlacementDecision d = PlacementRule.decide(stayedFor(31));
    assertEquals(Action.ADD, d.action());
    assertEquals("sanfrancisco", d.dataCenter());
    assertTrue(d.reason().startsWith("every login for 31 minutes"), d.reason());
    assertEquals(Action.NONE, PlacementRule.decide(stayedFor(29)).action());
  }

  /** Two logins near San Francisco (10 would add a copy), every login there for that long. */
  private static PlacementFacts stayedFor(int minutes) {
    return new PlacementFacts(
        "v",
        3,
        10,
        Optional.of(Duration.ofMinutes(30)),
        List.of(new Copy("seattle", true, false)),
        WEST_COAST,
        ALL_UP,
        List.of("sanfrancisco", "sanfrancisco"),
        Optional.of(new PlacementFacts.Stay("sanfrancisco", NOW.minusSeconds(minutes * 60L))),
        NOW);
  }

  @Test
  void overNTheCopyFarthestFromTheRecentLoginsIsDropped() {
    List<Copy> three =
        List.of(
            new Copy("portland", true, false),
            new Copy("seattle", false, false),
            new Copy("sanfrancisco", false, false));
    PlacementDecision d =
        PlacementRule.decide(
            facts(2, 3, three, List.of("sanfrancisco", "sanfrancisco", "sanfrancisco")));
    assertEquals(Action.DROP, d.action());
    assertEquals("seattle", d.dataCenter());
    assertTrue(d.reason().startsWith("3 copies, at most 2: the copy at seattle"), d.reason());
    assertTrue(d.reason().contains("seattle 3"), d.reason());
    assertTrue(d.reason().contains("sanfrancisco 0 km"), d.reason());
  }

  @Test
  void thePrimaryIsNeverDroppedEvenWhenItIsFarthest() {
    List<Copy> three =
        List.of(
            new Copy("seattle", true, false),
            new Copy("portland", false, false),
            new Copy("sanfrancisco", false, false));
    PlacementDecision d =
        PlacementRule.decide(facts(2, 2, three, List.of("sanfrancisco", "sanfrancisco")));
    assertEquals(Action.DROP, d.action());
    assertEquals("portland", d.dataCenter());

    PlacementDecision alone =
        PlacementRule.decide(
            facts(
                1,
                1,
                List.of(new Copy("seattle", true, false), new Copy("portland", false, true)),
                List.of("sanfrancisco")));
    assertNotEquals(Action.DROP, alone.action());
  }

  @Test
  void nothingIsDroppedWhileACopyIsStillCopying() {
    List<Copy> three =
        List.of(
            new Copy("portland", true, false),
            new Copy("seattle", false, false),
            new Copy("sanfrancisco", false, true));
    PlacementDecision d = PlacementRule.decide(facts(2, 1, three, List.of("sanfrancisco")));
    assertEquals(Action.NONE, d.action());
    assertEquals(
        "3 copies, at most 2: waits for the copy at sanfrancisco to be in sync before dropping one",
        d.reason());
  }

  @Test
  void theNumberOfCopiesStaysBoundedOverALongSeries() {
    // A user who moves north to south and back: every add is followed by a drop once in sync.
    List<Copy> copies = new ArrayList<>(List.of(new Copy("seattle", true, false)));
    List<String> newestFirst = new ArrayList<>();
    String[] trip = {"seattle", "portland", "sanfrancisco", "portland", "seattle"};
    int max = 2;
    for (String place : trip) {
      for (int i = 0; i < 3; i++) {
        newestFirst.add(0, place);
        PlacementDecision d = PlacementRule.decide(facts(max, 2, copies, newestFirst));
        if (d.action() == Action.ADD) {
          copies.add(new Copy(d.dataCenter(), false, false));
        } else if (d.action() == Action.DROP) {
          assertNotEquals("seattle", d.dataCenter(), "the primary");
          copies.removeIf(c -> c.dataCenter().equals(d.dataCenter()));
        }
        assertTrue(copies.size() <= max + 1, copies.toString());
      }
      // after the last login there, the policy settles within N
      PlacementDecision settle = PlacementRule.decide(facts(max, 2, copies, newestFirst));
      if (settle.action() == Action.DROP) {
        copies.removeIf(c -> c.dataCenter().equals(settle.dataCenter()));
      }
      assertTrue(copies.size() <= max, copies.toString());
      assertTrue(copies.stream().anyMatch(c -> c.dataCenter().equals(place)), place);
    }
  }

  @Test
  void aDryRunAlsoShowsTheDropThatWouldFollowTheAdd() {
    List<PlacementDecision> d =
        PlacementRule.dryRun(facts(2, 2, List.of("sanfrancisco", "sanfrancisco")));
    assertEquals(2, d.size(), d.toString());
    assertEquals("ADD sanfrancisco", d.get(0).key());
    assertEquals("DROP portland", d.get(1).key());
    assertTrue(d.get(1).reason().startsWith("once the copy at sanfrancisco is in sync: "));
  }

  @Test
  void countsAreMostFirst() {
    assertEquals(
        List.of("sanfrancisco", "portland", "seattle"),
        List.copyOf(
            PlacementService.counts(
                    List.of(
                        "seattle",
                        "sanfrancisco",
                        "portland",
                        "sanfrancisco",
                        "portland",
                        "sanfrancisco"))
                .keySet()));
  }
}
