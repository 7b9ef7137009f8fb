package org.roamstore.directory.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventHistoryTest {
  private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");
  private final EventHistory history = new EventHistory();

  private static HistoryEntry event(int n, String type, String volume, String user) {
    JsonObjectBuilder e =
        Json.createObjectBuilder()
            .add("id", "id-" + n)
            .add("type", type)
            .add("at", T0.plusSeconds(n).toString());
    if (volume != null) {
      e.add("volume", volume);
    }
    if (user != null) {
      e.add("user", user);
    }
    return HistoryEntry.of(e.build());
  }

  private static List<String> ids(List<HistoryEntry> entries) {
    return entries.stream().map(HistoryEntry::id).toList();
  }

  @Test
  void newestFirstAndFilteredByVolumeOrUserOrBoth() {
    history.add(event(1, "LOGIN", "v1", "alice"));
    history.add(event(2, "PRIMARY_SWITCHED", "v1", "alice"));
    history.add(event(3, "LOGIN", "v2", "bob"));
    history.add(event(4, "DATA_CENTER_DOWN", null, null));

    assertEquals(
        List.of("id-4", "id-3", "id-2", "id-1"), ids(history.select(HistoryFilter.ALL, 10)));
    assertEquals(List.of("id-2", "id-1"), ids(history.select(new HistoryFilter("v1", null), 10)));
    assertEquals(List.of("id-3"), ids(history.select(new HistoryFilter(null, "bob"), 10)));
    assertEquals(List.of(), ids(history.select(new HistoryFilter("v1", "bob"), 10)));
    assertEquals(List.of("id-4", "id-3"), ids(history.select(HistoryFilter.ALL, 2)));
  }

  @Test
  void aVerifysRequesterCountsAsItsUser() {
    HistoryEntry verify =
        HistoryEntry.of(
            Json.createObjectBuilder()
                .add("id", "x")
                .add("type", "VERIFY_STARTED")
                .add("at", T0.toString())
                .add("volume", "v1")
                .add("by", "admin")
                .build());
    history.add(verify);

    assertEquals(List.of("x"), ids(history.select(new HistoryFilter(null, "admin"), 10)));
  }

  @Test
  void aRepeatedEventIsKeptOnce() {
    history.add(event(1, "LOGIN", "v1", "alice"));
    history.add(event(1, "LOGIN", "v1", "alice"));

    assertEquals(1, history.select(HistoryFilter.ALL, 10).size());
  }

  @Test
  void theHistoryKeepsItsCapacityDroppingTheOldest() {
    for (int i = 0; i < EventHistory.CAPACITY + 5; i++) {
      history.add(event(i, "LOGIN", "v" + i, "alice"));
    }

    List<HistoryEntry> all = history.select(HistoryFilter.ALL, Integer.MAX_VALUE);
    assertEquals(EventHistory.CAPACITY, all.size());
    assertFalse(history.mentionsVolume("v4"), "the oldest are gone");
    assertTrue(history.mentionsVolume("v5"));
    // A dropped event's id may come again (a late redelivery) without being refused forever.
    history.add(event(0, "LOGIN", "v0", "alice"));
    assertTrue(history.mentionsVolume("v0"));
  }
}
