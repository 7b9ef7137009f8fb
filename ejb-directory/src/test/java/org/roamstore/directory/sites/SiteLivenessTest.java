package org.roamstore.directory.sites;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.naming.NamingException;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.copygroup.FakeStorage;
import org.roamstore.directory.copygroup.SiteUnreachableException;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.directory.model.DownReason;

/** The site watch's rules against fake storage control units that can be switched off. */
class SiteLivenessTest {
  private final Map<String, FakeStorage> units = new LinkedHashMap<>();
  private final Set<String> dead = new HashSet<>();
  private final StorageSites storage =
      system -> {
        if (dead.contains(system)) {
          throw new SiteUnreachableException(system, system + " does not answer", null);
        }
        return units.get(system);
      };

  /** The directory's view of the sites, changed as the watch asks (what SiteService does). */
  private final Map<String, SiteLiveness.Site> directory = new LinkedHashMap<>();

  private final SiteLiveness liveness = new SiteLiveness(2);

  SiteLivenessTest() {
    for (String name : List.of("seattle", "portland", "sanfrancisco")) {
      units.put(name, new FakeStorage(name));
      directory.put(name, new SiteLiveness.Site(name, name, true, null));
    }
  }

  /** One round as SiteWatch runs it: ping the watched sites, apply the changes. */
  private List<SiteLiveness.Change> round() {
    Map<String, String> failed = new LinkedHashMap<>();
    for (SiteLiveness.Site site : directory.values()) {
      if (site.watched()) {
        SiteLiveness.Ping ping = SiteLiveness.ping(storage, site.storageSystem());
        if (!ping.answered()) {
          failed.put(site.storageSystem(), ping.error());
        }
      }
    }
    List<SiteLiveness.Change> changes = liveness.observe(List.copyOf(directory.values()), failed);
    for (SiteLiveness.Change change : changes) {
      SiteLiveness.Site site = directory.get(change.site());
      directory.put(
          site.name(),
          new SiteLiveness.Site(
              site.name(),
              site.storageSystem(),
              change.up(),
              change.up() ? null : DownReason.UNREACHABLE));
    }
    return changes;
  }

  private void operatorMarksDown(String name) {
    directory.put(name, new SiteLiveness.Site(name, name, false, DownReason.MANUAL));
  }

  @Test
  void aPingIsConnectAndStatus() {
    assertTrue(SiteLiveness.ping(storage, "seattle").answered());
    assertNull(SiteLiveness.ping(storage, "seattle").error());
    dead.add("seattle");
    SiteLiveness.Ping failed = SiteLiveness.ping(storage, "seattle");
    assertFalse(failed.answered());
    assertTrue(failed.error().contains("does not answer"), failed.error());
    assertTrue(failed.configuredHere());
  }

  @Test
  void aSiteWithoutAConnectionFactoryHereIsNotJudged() {
    StorageSites none =
        system -> {
          throw new SiteUnreachableException(
              system, "no storage connection factory", new NamingException("not bound"));
        };
    SiteLiveness.Ping ping = SiteLiveness.ping(none, "tokyo");
    assertFalse(ping.answered());
    assertFalse(ping.configuredHere());
  }

  @Test
  void answeringSitesStayUp() {
    for (int i = 0; i < 5; i++) {
      assertEquals(List.of(), round());
    }
  }

  @Test
  void aSiteGoesDownAfterTwoFailedPingsInARowAndComesBackAtItsFirstAnswer() {
    dead.add("portland");
    assertEquals(List.of(), round(), "one failed ping is not enough");
    List<SiteLiveness.Change> down = round();
    assertEquals(1, down.size());
    assertEquals("portland", down.get(0).site());
    assertEquals(false, down.get(0).up());
    assertTrue(down.get(0).why().contains("does not answer"), down.get(0).why());
    assertEquals(List.of(), round(), "already down: nothing more to do");

    dead.remove("portland");
    List<SiteLiveness.Change> up = round();
    assertEquals(List.of("portland"), up.stream().map(SiteLiveness.Change::site).toList());
    assertTrue(up.get(0).up());
    assertTrue(directory.get("portland").up());
  }

  @Test
  void anAnswerBetweenFailuresStartsTheCountAgain() {
    dead.add("seattle");
    round();
    dead.remove("seattle");
    round();
    dead.add("seattle");
    assertEquals(List.of(), round(), "the earlier failure no longer counts");
    assertEquals(1, round().size());
  }

  @Test
  void theWatchNeverBringsBackASiteAnOperatorMarkedDown() {
    operatorMarksDown("sanfrancisco");
    for (int i = 0; i < 3; i++) {
      assertEquals(List.of(), round());
    }
    assertEquals(DownReason.MANUAL, directory.get("sanfrancisco").downReason());
  }

  @Test
  void anOperatorsDownReplacesTheWatchs() {
    dead.add("portland");
    round();
    round();
    assertEquals(DownReason.UNREACHABLE, directory.get("portland").downReason());
    operatorMarksDown("portland"); // SiteService.markDown(name) records MANUAL on a down site
    dead.remove("portland");
    assertEquals(List.of(), round());
    assertEquals(false, directory.get("portland").up());
  }

  @Test
  void aSiteDownForNoRecordedReasonIsLeftToAnOperator() {
    directory.put("seattle", new SiteLiveness.Site("seattle", "seattle", false, null));
    assertEquals(List.of(), round());
  }
}
