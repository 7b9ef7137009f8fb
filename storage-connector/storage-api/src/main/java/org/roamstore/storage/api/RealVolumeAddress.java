package org.roamstore.storage.api;

import java.util.Objects;

/**
 * Where one real copy of a virtual volume lives: the storage system (one per data center) and the
 * volume's id inside it.
 */
public record RealVolumeAddress(String storageSystem, String volumeId) {

  public RealVolumeAddress {
    Names.require("storage system", storageSystem);
    Names.require("volume id", volumeId);
  }

  @Override
  public String toString() {
    return storageSystem + "/" + volumeId;
  }

  /** Parses the {@code storageSystem/volumeId} form that {@link #toString()} produces. */
  public static RealVolumeAddress parse(String text) {
    Objects.requireNonNull(text, "address");
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("not a real volume address (storage/volume): " + text);
    }
    return new RealVolumeAddress(text.substring(0, slash), text.substring(slash + 1));
  }
}
