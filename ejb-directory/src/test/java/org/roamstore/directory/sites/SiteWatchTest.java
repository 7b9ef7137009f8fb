package org.roamstore.directory.sites;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bound the site watch states, made of its settings (no container: only the settings). */
class SiteWatchTest {

  @AfterEach
  void clearProperties() {
    System.clearProperty(SiteWatch.PERIOD_PROPERTY);
    System.clearProperty(SiteWatch.TIMEOUT_PROPERTY);
    System.clearProperty(SiteWatch.FAILURES_PROPERTY);
  }

  @Test
  void byDefaultADeadSiteIsMarkedDownWithinEightSeconds() {
    assertEquals(Duration.ofSeconds(8), new SiteWatch().markDownBound());
  }

  @Test
  void theBoundIsFailuresTimesPeriodPlusTimeout() {
    System.setProperty(SiteWatch.PERIOD_PROPERTY, "500");
    System.setProperty(SiteWatch.TIMEOUT_PROPERTY, "2000");
    System.setProperty(SiteWatch.FAILURES_PROPERTY, "4");
    assertEquals(Duration.ofMillis(4 * 500 + 2000), new SiteWatch().markDownBound());
  }

  @Test
  void settingsBelowOneAreRefused() {
    System.setProperty(SiteWatch.PERIOD_PROPERTY, "0");
    assertThrows(IllegalArgumentException.class, SiteWatch::new);
  }
}
