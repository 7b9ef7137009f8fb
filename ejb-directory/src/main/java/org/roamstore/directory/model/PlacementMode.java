package org.roamstore.directory.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Whether a volume's placement policy acts, only tells what it would do, or is off. */
public enum PlacementMode {
  OFF,
  /** Decisions are announced as events; no copy is added or dropped. */
  DRY_RUN,
  ON;

  /** The name the REST API and events use: {@code off}, {@code dry-run}, {@code on}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Optional<PlacementMode> ofLabel(String label) {
    return Arrays.stream(values()).filter(m -> m.label().equals(label)).findFirst();
  }
}
