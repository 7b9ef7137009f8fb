package org.roamstore.storage.replication.receive;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.disk.AtomicFile;
import org.roamstore.storage.replication.batch.RegionDigest;
import org.roamstore.storage.replication.batch.StreamKey;

/**
 * How far a secondary has applied its primary's stream of one copy group. {@code applied} moves as
 * batches reach the cache; {@code durable} is what the last checkpoint wrote to disk, together with
 * the volume's flush, in {@code <group>.applied}. After a crash the broker redelivers everything
 * after the last checkpoint, and what is at or below the saved sequence is skipped.
 */
final class AppliedStream {
  final String groupId;
  StreamKey stream;
  String source;
  long applied;
  long durable;
  // The data generation: the primary's number of the last write applied, and whether it came
  // during a resync (see CopyGroupStatus.Applied).
  long lastWrite = -1;
  boolean resyncing;
  boolean changed;
  // Digests of verify entries applied and not yet sent in an acknowledgement, oldest first.
  final List<Digested> digests = new ArrayList<>(0);

  /** The digest a verify entry asked for, with the entry's sequence. */
  record Digested(long sequence, RegionDigest digest) {}

  AppliedStream(String groupId, StreamKey stream, String source, long applied) {
    this.groupId = groupId;
    this.stream = stream;
    this.source = source;
    this.applied = applied;
    this.durable = applied;
  }

  static AppliedStream load(Path file, String groupId) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    Properties p = new Properties();
    p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
    AppliedStream s =
        new AppliedStream(
            groupId,
            new StreamKey(
                Long.parseLong(p.getProperty("epoch")),
                Long.parseLong(p.getProperty("incarnation"))),
            p.getProperty("source"),
            Long.parseLong(p.getProperty("applied")));
    s.lastWrite = Long.parseLong(p.getProperty("lastWrite", "-1"));
    s.resyncing = Boolean.parseBoolean(p.getProperty("resyncing", "false"));
    return s;
  }

  /** Where this copy stands, as the directory compares copies. */
  CopyGroupStatus.Applied position(long durableSequence) {
    return new CopyGroupStatus.Applied(
        stream.epoch(), applied, durableSequence, stream.incarnation(), lastWrite, resyncing);
  }

  /** What to save of this stream now, to be saved later (a checkpoint does it off the loop). */
  Saved toSave() {
    return new Saved(groupId, stream, source, applied, lastWrite, resyncing);
  }

  /** The stream as it was when a checkpoint began. */
  record Saved(
      String groupId,
      StreamKey stream,
      String source,
      long applied,
      long lastWrite,
      boolean resyncing) {
    void save(Path file) throws IOException {
      Properties p = new Properties();
      p.setProperty("epoch", Long.toString(stream.epoch()));
      p.setProperty("incarnation", Long.toString(stream.incarnation()));
      p.setProperty("source", source);
      p.setProperty("applied", Long.toString(applied));
      p.setProperty("lastWrite", Long.toString(lastWrite));
      p.setProperty("resyncing", Boolean.toString(resyncing));
      StringWriter out = new StringWriter();
      p.store(out, "write data of copy group " + groupId + " applied up to this sequence");
      Files.createDirectories(file.getParent());
      AtomicFile.replace(file, out.toString().getBytes(StandardCharsets.UTF_8));
    }
  }
}
