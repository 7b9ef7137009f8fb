package org.roamstore.storage.api;

import java.util.BitSet;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The regions of a copy group's volume that secondaries miss: written at the primary while they
 * were out of sync, not yet resynchronised. One bit per region of {@link #regionBytes()}, per
 * secondary storage system; a secondary may be listed with no region (out of sync, nothing written
 * since). A primary keeps them; when the primary moves, they move with it, or the new primary would
 * treat those secondaries as current and they would keep the old bytes of those regions for good.
 * Immutable.
 */
public final class OutOfSyncRegions {
  /** Nothing is missing anywhere. */
  public static final OutOfSyncRegions NONE = new OutOfSyncRegions(1, Map.of());

  private final int regionBytes;
  private final Map<String, BitSet> regions;

  public OutOfSyncRegions(int regionBytes, Map<String, BitSet> regions) {
    if (regionBytes < 1) {
      throw new StorageException(
          StorageException.Reason.INVALID_ARGUMENT,
          "a region has at least one byte, got " + regionBytes);
    }
    this.regionBytes = regionBytes;
    Map<String, BitSet> copy = new TreeMap<>();
    regions.forEach(
        (system, bits) -> copy.put(Names.require("storage system", system), (BitSet) bits.clone()));
    this.regions = Collections.unmodifiableMap(copy);
  }

  public int regionBytes() {
    return regionBytes;
  }

  /** The storage systems listed as out of sync. */
  public Set<String> secondaries() {
    return regions.keySet();
  }

  /** The regions one storage system misses (a copy); empty if it is not listed. */
  public BitSet regionsOf(String storageSystem) {
    BitSet bits = regions.get(storageSystem);
    return bits == null ? new BitSet() : (BitSet) bits.clone();
  }

  public boolean isEmpty() {
    return regions.isEmpty();
  }

  /** Bytes a storage system misses, counted in whole regions. */
  public long bytesOf(String storageSystem) {
    BitSet bits = regions.get(storageSystem);
    return bits == null ? 0 : (long) bits.cardinality() * regionBytes;
  }

  /**
   * These regions and {@code bits} (regions of {@code bitsRegionBytes}) for {@code storageSystem},
   * in this object's region size (a region of the other size maps onto every region it touches).
   */
  public OutOfSyncRegions with(String storageSystem, BitSet bits, int bitsRegionBytes) {
    if (bits.isEmpty()) {
      return this;
    }
    int size = regions.isEmpty() ? bitsRegionBytes : regionBytes;
    Map<String, BitSet> merged = new TreeMap<>(regions);
    BitSet into = merged.containsKey(storageSystem) ? regionsOf(storageSystem) : new BitSet();
    into.or(convert(bits, bitsRegionBytes, size));
    merged.put(storageSystem, into);
    return new OutOfSyncRegions(size, merged);
  }

  /**
   * Every region listed for anyone, listed for each of {@code storageSystems}: what a returning
   * member hands over may differ at any other member, and all of them resynchronise it.
   */
  public OutOfSyncRegions spreadTo(Set<String> storageSystems) {
    BitSet union = new BitSet();
    regions.values().forEach(union::or);
    Map<String, BitSet> spread = new TreeMap<>();
    for (String system : storageSystems) {
      spread.put(system, union);
    }
    return regions.isEmpty() ? this : new OutOfSyncRegions(regionBytes, spread);
  }

  private static BitSet convert(BitSet bits, int from, int to) {
    if (from == to) {
      return bits;
    }
    BitSet converted = new BitSet();
    for (int r = bits.nextSetBit(0); r >= 0; r = bits.nextSetBit(r + 1)) {
      long start = (long) r * from;
      converted.set((int) (start / to), (int) ((start + from - 1) / to) + 1);
    }
    return converted;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OutOfSyncRegions other
        && (regions.isEmpty() && other.regions.isEmpty()
            || regionBytes == other.regionBytes && regions.equals(other.regions));
  }

  @Override
  public int hashCode() {
    return regions.isEmpty() ? 0 : Objects.hash(regionBytes, regions);
  }

  @Override
  public String toString() {
    if (regions.isEmpty()) {
      return "no out-of-sync regions";
    }
    StringBuilder text = new StringBuilder();
    regions.forEach(
        (system, bits) ->
            text.append(text.length() == 0 ? "" : ", ")
                .append(system)
                .append(" misses ")
                .append(bits.cardinality())
                .append(" region(s) of ")
                .append(regionBytes)
                .append(" bytes"));
    return text.toString();
  }
}
