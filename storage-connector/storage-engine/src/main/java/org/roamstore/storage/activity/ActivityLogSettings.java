package org.roamstore.storage.activity;

import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The knobs of the activity log, read from system properties so that the resource adapter, the
 * standalone unit and the tests set them the same way.
 *
 * @param regionBytes size of a region (a power of two, 4 KiB or more): smaller regions mean less to
 *     resynchronise after a crash, more log writes while the hot set moves
 * @param maxHotRegions at most this many regions are hot at once; a writer needing one more waits
 *     for a cooling round
 * @param coolInterval how often regions not written since the last round are cooled (each round
 *     flushes the volume and waits for the secondaries' disks)
 * @param enabled false only to measure what the log costs: writes then record nothing, and a crash
 *     of the primary leaves its copies different without anyone knowing
 * @param offFor volumes whose writes record nothing, also only to measure: a benchmark compares
 *     volumes with and without the log in one run of one process
 */
public record ActivityLogSettings(
    int regionBytes,
    int maxHotRegions,
    Duration coolInterval,
    boolean enabled,
    Set<String> offFor) {
  public static final String REGION_MIB_PROPERTY = "roamstore.activity.regionMiB";
  public static final String MAX_HOT_PROPERTY = "roamstore.activity.maxHotRegions";
  public static final String COOL_MILLIS_PROPERTY = "roamstore.activity.coolMillis";
  public static final String ENABLED_PROPERTY = "roamstore.activity.enabled";
  public static final String OFF_FOR_PROPERTY = "roamstore.activity.offFor";

  public static final ActivityLogSettings DEFAULTS =
      new ActivityLogSettings(
          ActivityLog.DEFAULT_REGION_BYTES,
          ActivityLog.DEFAULT_MAX_HOT_REGIONS,
          Duration.ofSeconds(5),
          true,
          Set.of());

  public ActivityLogSettings {
    offFor = Set.copyOf(offFor);
  }

  /** Whether writes to the volume are recorded (always, unless measuring the log's cost). */
  public boolean logs(String volumeId) {
    return enabled && !offFor.contains(volumeId);
  }

  public static ActivityLogSettings fromSystemProperties() {
    return new ActivityLogSettings(
        Integer.getInteger(REGION_MIB_PROPERTY, DEFAULTS.regionBytes >> 20) << 20,
        Integer.getInteger(MAX_HOT_PROPERTY, DEFAULTS.maxHotRegions),
        Duration.ofMillis(Long.getLong(COOL_MILLIS_PROPERTY, DEFAULTS.coolInterval.toMillis())),
        !"false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY)),
        Arrays.stream(System.getProperty(OFF_FOR_PROPERTY, "").split(","))
            .map(String::strip)
            .filter(v -> !v.isEmpty())
            .collect(Collectors.toSet()));
  }
}
