package org.roamstore.gateway.rest.volumes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.json.JsonException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.verify.VerifyOptions;

/** The optional body of {@code POST /api/volumes/{name}/verify}. */
class VolumeVerifyResourceTest {

  @Test
  void noBodyIsTheDefaults() {
    assertEquals(VerifyOptions.defaults(), VolumeVerifyResource.options(null));
    assertEquals(VerifyOptions.defaults(), VolumeVerifyResource.options(" \n"));
    assertEquals(VerifyOptions.defaults(), VolumeVerifyResource.options("{}"));
  }

  @Test
  void anObjectGivesTheOptions() {
    VerifyOptions options =
        VolumeVerifyResource.options(
            "{\"secondaries\": [\"portland\"], \"rateMiBPerSecond\": 8, \"repair\": false}");
    assertEquals(List.of("portland"), options.secondaries());
    assertEquals(8, options.rateOrDefault());
    assertFalse(options.repairOrDefault());
  }

  @Test
  void anythingButAJsonObjectIsRefused() {
    for (String body :
        List.of(
            "not json",
            "{\"repair\": tru",
            "[\"portland\"]",
            "42",
            "\"verify\"",
            "{\"secondaries\": {\"a\": 1}}",
            "{\"rateMiBPerSecond\": \"5\"}",
            "{\"repair\": " + "[".repeat(1500) + "]".repeat(1500) + "}")) {
      assertThrows(JsonException.class, () -> VolumeVerifyResource.options(body), body);
    }
  }
}
