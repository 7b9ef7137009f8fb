package org.roamstore.gateway.rest.status;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.time.Duration;
import java.util.List;
import org.roamstore.directory.lag.LagSample;

/**
 * One series of lag samples, oldest first, as parallel arrays rather than one object per sample:
 * the status carries a series per secondary of every volume, refreshed every 2 s, and this keeps
 * each one a few kilobytes. {@code offsetsSeconds[i]} is sample i's time after {@code from}; a
 * figure storage did not report is null.
 */
final class LagSamplesJson {
  private LagSamplesJson() {}

  static JsonObject of(List<LagSample> samples) {
    JsonArrayBuilder offsets = Json.createArrayBuilder();
    JsonArrayBuilder bytes = Json.createArrayBuilder();
    JsonArrayBuilder seconds = Json.createArrayBuilder();
    for (LagSample s : samples) {
      offsets.add(Duration.between(samples.get(0).at(), s.at()).toSeconds());
      if (s.pendingBytes() == null) {
        bytes.addNull();
      } else {
        bytes.add(s.pendingBytes());
      }
      if (s.seconds() == null) {
        seconds.addNull();
      } else {
        seconds.add(Math.round(s.seconds() * 10) / 10.0);
      }
    }
    JsonObjectBuilder out = Json.createObjectBuilder();
    if (!samples.isEmpty()) {
      out.add("from", samples.get(0).at().toString());
    }
    return out.add("offsetsSeconds", offsets)
        .add("pendingBytes", bytes)
        .add("seconds", seconds)
        .build();
  }
}
