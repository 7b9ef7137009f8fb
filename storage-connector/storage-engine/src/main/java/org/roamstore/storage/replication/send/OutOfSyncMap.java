package org.roamstore.storage.replication.send;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.BitSet;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.roamstore.storage.disk.AtomicFile;
import org.roamstore.storage.replication.WriteDataSender;

/**
 * The regions of a primary volume written while a secondary was out of sync, per secondary: one bit
 * per region of {@link #REGION_BYTES}. Kept in {@code <group>.resync} and replaced atomically
 * whenever a bit is set that was clear, before the write that set it is acknowledged, so a restart
 * of the primary cannot forget what a secondary misses. A resync copies the marked regions' current
 * content; clearing bits is saved lazily (a restart then copies a region twice, harmlessly).
 */
final class OutOfSyncMap {
  static final int REGION_BYTES = WriteDataSender.RESYNC_REGION_BYTES;

  private final Path file;
  private final Map<String, BitSet> regions = new TreeMap<>();

  OutOfSyncMap(Path file) {
    this.file = file;
  }

  static OutOfSyncMap load(Path file) throws IOException {
    OutOfSyncMap map = new OutOfSyncMap(file);
    if (Files.exists(file)) {
      Properties p = new Properties();
      p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
      for (String name : p.stringPropertyNames()) {
        if (name.startsWith("regions.")) {
          map.regions.put(
              name.substring("regions.".length()),
              BitSet.valueOf(Base64.getDecoder().decode(p.getProperty(name))));
        }
      }
    }
    return map;
  }

  /** Marks the regions of a write; returns whether a bit was newly set (the map must be saved). */
  boolean mark(String secondary, long offset, long length) {
    BitSet bits = regions.computeIfAbsent(secondary, s -> new BitSet());
    int from = Math.toIntExact(offset / REGION_BYTES);
    int to = Math.toIntExact((offset + Math.max(length, 1) - 1) / REGION_BYTES);
    boolean added = bits.nextClearBit(from) <= to;
    bits.set(from, to + 1);
    return added;
  }

  /** The regions one secondary misses (a copy); empty if it is not tracked. */
  BitSet regionsOf(String secondary) {
    BitSet bits = regions.get(secondary);
    return bits == null ? new BitSet() : (BitSet) bits.clone();
  }

  void track(String secondary) {
    regions.computeIfAbsent(secondary, s -> new BitSet());
  }

  /** The next marked region at or after {@code from}, or -1. */
  int next(String secondary, int from) {
    BitSet bits = regions.get(secondary);
    return bits == null ? -1 : bits.nextSetBit(from);
  }

  void clear(String secondary, int region) {
    BitSet bits = regions.get(secondary);
    if (bits != null) {
      bits.clear(region);
    }
  }

  int count(String secondary) {
    BitSet bits = regions.get(secondary);
    return bits == null ? 0 : bits.cardinality();
  }

  boolean tracks(String secondary) {
    return regions.containsKey(secondary);
  }

  java.util.Set<String> secondaries() {
    return regions.keySet();
  }

  /** Stops tracking a secondary that is back in sync. */
  void forget(String secondary) {
    regions.remove(secondary);
  }

  void save() throws IOException {
    if (regions.isEmpty()) {
      AtomicFile.delete(file);
      return;
    }
    Properties p = new Properties();
    p.setProperty("regionBytes", Integer.toString(REGION_BYTES));
    for (Map.Entry<String, BitSet> e : regions.entrySet()) {
      p.setProperty(
          "regions." + e.getKey(), Base64.getEncoder().encodeToString(e.getValue().toByteArray()));
    }
    StringWriter out = new StringWriter();
    p.store(out, "regions to resynchronise per secondary");
    Files.createDirectories(file.getParent());
    AtomicFile.replace(file, out.toString().getBytes(StandardCharsets.UTF_8));
  }
}
