package org.roamstore.storage.replication.send;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.roamstore.storage.api.VerifyStatus;
import org.roamstore.storage.disk.AtomicFile;

/**
 * The last finished verify of each secondary of a copy group at its primary, and the regions it
 * found different and did not repair, in {@code <group>.verify}: status shows them after a restart,
 * and a secondary with unrepaired differences stays reported out of sync. Saved (atomically) when a
 * verify ends; a verify running at a crash is not resumed.
 */
final class VerifyRecords {
  private record Entry(VerifyStatus last, BitSet unrepaired) {}

  private final Path file;
  private final Map<String, Entry> entries = new TreeMap<>();

  /** {@code file}: where they are kept; null keeps them in memory only (tests). */
  VerifyRecords(Path file) {
    this.file = file;
  }

  static VerifyRecords load(Path file) throws IOException {
    VerifyRecords records = new VerifyRecords(file);
    if (file == null || !Files.exists(file)) {
      return records;
    }
    Properties p = new Properties();
    p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
    for (String name : p.stringPropertyNames()) {
      if (name.endsWith(".outcome")) {
        String s = name.substring(0, name.length() - ".outcome".length());
        records.entries.put(s, read(p, s + "."));
      }
    }
    return records;
  }

  private static Entry read(Properties p, String prefix) {
    List<Long> offsets = new ArrayList<>();
    for (String o : p.getProperty(prefix + "offsets", "").split(",")) {
      if (!o.isBlank()) {
        offsets.add(Long.parseLong(o.strip()));
      }
    }
    String finished = p.getProperty(prefix + "finishedAt");
    VerifyStatus last =
        new VerifyStatus(
            VerifyStatus.Outcome.valueOf(p.getProperty(prefix + "outcome")),
            Instant.parse(p.getProperty(prefix + "startedAt")),
            finished == null ? null : Instant.parse(finished),
            Long.parseLong(p.getProperty(prefix + "bytesVerified")),
            Long.parseLong(p.getProperty(prefix + "bytesTotal")),
            Integer.parseInt(p.getProperty(prefix + "regionBytes")),
            Long.parseLong(p.getProperty(prefix + "differingRegions")),
            offsets,
            Boolean.parseBoolean(p.getProperty(prefix + "repair")),
            p.getProperty(prefix + "detail"));
    BitSet unrepaired =
        BitSet.valueOf(Base64.getDecoder().decode(p.getProperty(prefix + "unrepaired", "")));
    return new Entry(last, unrepaired);
  }

  VerifyStatus last(String secondary) {
    Entry e = entries.get(secondary);
    return e == null ? null : e.last;
  }

  /** Regions a verify found different and did not repair (a copy). */
  BitSet unrepaired(String secondary) {
    Entry e = entries.get(secondary);
    return e == null ? new BitSet() : (BitSet) e.unrepaired.clone();
  }

  /**
   * Records a verify's end. An interrupted one keeps what the verify before found unrepaired: it
   * did not look at every region again.
   */
  void finished(String secondary, VerifyStatus status, BitSet unrepaired) throws IOException {
    BitSet keep =
        status.outcome() == VerifyStatus.Outcome.INTERRUPTED
            ? unrepaired(secondary)
            : (BitSet) unrepaired.clone();
    entries.put(secondary, new Entry(status, keep));
    save();
  }

  /** The unrepaired regions now belong to a resync (handed over with a change of primary). */
  void resyncing(String secondary) throws IOException {
    Entry e = entries.get(secondary);
    if (e != null && !e.unrepaired.isEmpty()) {
      entries.put(secondary, new Entry(e.last, new BitSet()));
      save();
    }
  }

  private void save() throws IOException {
    if (file == null) {
      return;
    }
    Properties p = new Properties();
    entries.forEach(
        (s, e) -> {
          VerifyStatus v = e.last;
          String prefix = s + ".";
          p.setProperty(prefix + "outcome", v.outcome().name());
          p.setProperty(prefix + "startedAt", v.startedAt().toString());
          if (v.finishedAt() != null) {
            p.setProperty(prefix + "finishedAt", v.finishedAt().toString());
          }
          p.setProperty(prefix + "bytesVerified", Long.toString(v.bytesVerified()));
          p.setProperty(prefix + "bytesTotal", Long.toString(v.bytesTotal()));
          p.setProperty(prefix + "regionBytes", Integer.toString(v.regionBytes()));
          p.setProperty(prefix + "differingRegions", Long.toString(v.differingRegions()));
          List<String> offsets = new ArrayList<>();
          v.differingOffsets().forEach(o -> offsets.add(Long.toString(o)));
          p.setProperty(prefix + "offsets", String.join(",", offsets));
          p.setProperty(prefix + "repair", Boolean.toString(v.repair()));
          if (v.detail() != null) {
            p.setProperty(prefix + "detail", v.detail());
          }
          p.setProperty(
              prefix + "unrepaired",
              Base64.getEncoder().encodeToString(e.unrepaired.toByteArray()));
        });
    StringWriter out = new StringWriter();
    p.store(out, "the last verify of each secondary");
    Files.createDirectories(file.getParent());
    AtomicFile.replace(file, out.toString().getBytes(StandardCharsets.UTF_8));
  }
}
