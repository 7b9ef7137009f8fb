package org.roamstore.directory.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.access.ReplicationLag;

/** What a run keeps between its start and its end, and the events that announce them. */
class VerifyRunTest {
  private static final OnlineVerify.Group GROUP =
      new OnlineVerify.Group(
          "alice-disk", 7, "seattle", "sea-1", "v1", true, Map.of("portland", "pdx-1"));
  private static final List<OnlineVerify.Followed> FOLLOWED =
      List.of(
          new OnlineVerify.Followed("portland", "pdx-1", Instant.parse("2026-12-05T12:00:00.001Z")),
          new OnlineVerify.Followed(
              "sanfrancisco", "sfo-1", Instant.parse("2026-12-05T12:00:00.002Z")));

  @Test
  void theFollowedSecondariesSurviveTheDatabase() {
    VerifyRun run =
        new VerifyRun(GROUP, "admin", VerifyOptions.defaults(), FOLLOWED, Instant.now());
    assertEquals(FOLLOWED, run.followed());
    assertEquals(FOLLOWED, VerifyRun.decode(VerifyRun.encode(FOLLOWED)));
  }

  @Test
  void theFinishedEventCarriesEachSecondarysResult() {
    VerifyRun run =
        new VerifyRun(
            GROUP,
            "admin",
            new VerifyOptions(null, 10, true),
            FOLLOWED,
            Instant.parse("2026-12-05T12:00:00Z"));
    ReplicationLag.Verify differed =
        new ReplicationLag.Verify(
            "DIFFERENCES",
            FOLLOWED.get(0).startedAt(),
            Instant.parse("2026-12-05T12:01:00Z"),
            100,
            64L << 20,
            64L << 20,
            1 << 20,
            2,
            List.of(0L, 1L << 20),
            true,
            null);
    OnlineVerify.Finished finished =
        new OnlineVerify.Finished(
            List.of(
                new OnlineVerify.Result("portland", "DIFFERENCES", differed, null),
                new OnlineVerify.Result("sanfrancisco", "INTERRUPTED", null, "it went away")));

    JsonObject event = VerifyEvents.finished(run, finished);

    assertEquals("VERIFY_FINISHED", event.getString("type"));
    assertEquals("alice-disk", event.getString("volume"));
    assertEquals("seattle", event.getString("primary"));
    assertEquals(7, event.getInt("epoch"));
    assertEquals("DIFFERENCES", event.getString("outcome"));
    JsonObject portland = event.getJsonArray("secondaries").getJsonObject(0);
    assertEquals("portland", portland.getString("dataCenter"));
    assertTrue(portland.getBoolean("repaired"));
    assertEquals(2, portland.getInt("differingRegions"));
    assertEquals(1 << 20, portland.getJsonArray("differingOffsets").getJsonNumber(1).intValue());
    JsonObject sf = event.getJsonArray("secondaries").getJsonObject(1);
    assertEquals("INTERRUPTED", sf.getString("outcome"));
    assertFalse(sf.getBoolean("repaired"));
    assertFalse(sf.containsKey("differingRegions"), "nothing is claimed about an interrupted run");
    assertEquals("it went away", sf.getString("detail"));
  }

  @Test
  void theOverallOutcomeNamesDifferencesFirstThenInterruptions() {
    OnlineVerify.Result same = new OnlineVerify.Result("a", "NO_DIFFERENCE", null, null);
    OnlineVerify.Result cut = new OnlineVerify.Result("b", "INTERRUPTED", null, "x");
    OnlineVerify.Result differs = new OnlineVerify.Result("c", "DIFFERENCES", null, null);
    assertEquals("NO_DIFFERENCE", new OnlineVerify.Finished(List.of(same)).outcome());
    assertEquals("INTERRUPTED", new OnlineVerify.Finished(List.of(same, cut)).outcome());
    assertEquals("DIFFERENCES", new OnlineVerify.Finished(List.of(same, cut, differs)).outcome());
  }

  @Test
  void theStartedEventNamesTheSecondariesAndTheRequest() {
    VerifyStart start =
        new VerifyStart(
            "alice-disk",
            "seattle",
            7,
            Instant.now(),
            "admin",
            false,
            25,
            Map.of("portland", ReplicationLag.Lag.NOT_REPORTED));
    JsonObject event = VerifyEvents.started(start);
    assertEquals("VERIFY_STARTED", event.getString("type"));
    assertEquals("portland", event.getJsonArray("secondaries").getString(0));
    assertFalse(event.getBoolean("repair"));
    assertEquals(25, event.getInt("rateMiBPerSecond"));
    assertEquals("admin", event.getString("by"));
  }
}
