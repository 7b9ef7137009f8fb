package org.roamstore.directory.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.json.DirectoryJson;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.VerifyStatus;

/** The verify figures of the status: exactly what storage reported, and "never" as null. */
class ReplicationLagTest {

  @Test
  void aSecondaryNeverVerifiedShowsNoVerify() {
    ReplicationLag.Lag lag =
        ReplicationLag.of(
            new CopyGroupStatus.SecondaryStatus(
                "pdx-1", CopyGroupStatus.State.IN_SYNC, 0, 0, -1, 0, 100, null));
    assertNull(lag.verify());
    JsonObject json = DirectoryJson.lag(lag);
    assertEquals("IN_SYNC", json.getString("state"));
    assertEquals(JsonValue.NULL, json.get("verify"), "never verified is said, not made up");
  }

  @Test
  void aRunningVerifyShowsItsProgressAndNoEnd() {
    VerifyStatus running =
        new VerifyStatus(
            VerifyStatus.Outcome.RUNNING,
            Instant.parse("2026-12-05T12:00:00Z"),
            null,
            48L << 20,
            64L << 20,
            1 << 20,
            1,
            List.of(4L << 20),
            true,
            null);
    ReplicationLag.Lag lag =
        ReplicationLag.of(
            new CopyGroupStatus.SecondaryStatus(
                "pdx-1", CopyGroupStatus.State.LAGGING, 3, 12288, 0.5, 0, 100, running));
    assertTrue(lag.verify().running());
    JsonObject verify = DirectoryJson.lag(lag).getJsonObject("verify");
    assertEquals("RUNNING", verify.getString("outcome"));
    assertEquals(75, verify.getInt("percent"));
    assertEquals(JsonValue.NULL, verify.get("finishedAt"));
    assertEquals(1, verify.getInt("differingRegions"));
    assertEquals(4L << 20, verify.getJsonArray("differingOffsets").getJsonNumber(0).longValue());
    assertTrue(verify.getBoolean("repair"));
  }

  @Test
  void withoutRemoteCopyNothingIsReported() {
    JsonObject json = DirectoryJson.lag(ReplicationLag.Lag.NOT_REPORTED);
    assertEquals(JsonValue.NULL, json.get("state"));
    assertEquals(JsonValue.NULL, json.get("verify"));
  }
}
