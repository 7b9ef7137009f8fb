package org.roamstore.storage.replication.receive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.replication.ReplicaVolume;
import org.roamstore.storage.replication.ReplicaVolumes;
import org.roamstore.storage.replication.batch.BatchEntry;
import org.roamstore.storage.replication.batch.BatchFormat;
import org.roamstore.storage.replication.batch.RegionDigest;
import org.roamstore.storage.replication.receive.AppliedStream.Digested;

/**
 * The secondary's side of every copy group at one unit (Fig. 12 step 1200): applies each batch to
 * the volume's cache in stream order, skips what it has already (a redelivery), refuses a batch of
 * an older epoch or stream, and says when a batch must wait (a gap, or a group not defined here
 * yet); keeps how far each group's stream is applied and durable, and which streams owe their
 * primary an acknowledgement. Knows nothing of the broker. Guarded by the receive process's lock.
 */
final class StreamApplier {
  private static final Logger LOG = Logger.getLogger(StreamApplier.class.getName());

  private final ReplicaVolumes volumes;
  private final Map<String, AppliedStream> streams = new HashMap<>();
  // Read without the lock, by status.
  private final Map<String, CopyGroupStatus.Applied> published = new ConcurrentHashMap<>();
  private final Set<String> warned = new HashSet<>();
  private final Set<AppliedStream> toAcknowledge = new LinkedHashSet<>();
  private ByteBuffer verifyBuffer = ByteBuffer.allocate(0);

  StreamApplier(ReplicaVolumes volumes) {
    this.volumes = volumes;
  }

  /** What this unit has applied of the group's stream; null if nothing yet. Needs no lock. */
  CopyGroupStatus.Applied applied(String groupId) {
    CopyGroupStatus.Applied applied = published.get(groupId);
    if (applied != null) {
      return applied;
    }
    try {
      AppliedStream saved = AppliedStream.load(stateFile(groupId), groupId);
      return saved == null ? null : saved.position(saved.applied);
    } catch (IOException | RuntimeException e) {
      throw new StorageException(
          Reason.IO_ERROR, "cannot read what copy group " + groupId + " applied: " + e, e);
    }
  }

  /**
   * Applies a batch, or skips or refuses it; returns false if it must wait (held back). What it
   * wrote and whether it asks for a checkpoint at once go into {@code plan}.
   */
  boolean offer(
      BatchFormat.Header h, List<BatchEntry> entries, boolean fromLane, CheckpointPlan plan) {
    ReplicaVolume volume = volumes.byGroup(h.groupId()).orElse(null);
    if (volume == null) {
      return false; // the group is not defined here yet
    }
    AppliedStream state = state(h.groupId());
    CopyVolumeGroupInfo local = volume.group();
    boolean olderEpoch = local != null && h.stream().epoch() < local.epoch();
    if (olderEpoch || (state != null && h.stream().isOlderThan(state.stream))) {
      refuse(h, "it is from an older epoch or stream than this copy already has");
      return true;
    }
    boolean newStream = state == null || !h.stream().equals(state.stream);
    if (newStream && fromLane) {
      return false; // a stream starts through the write data queue, behind what came before it
    }
    long applied = newStream ? 0 : state.applied;
    if (h.last() <= applied) {
      toAcknowledge.add(state); // a duplicate (redelivery): the primary may need to hear again
      if (h.checkpoint()) {
        plan.ask();
      }
      return true;
    }
    if (h.first() > applied + 1) {
      return false; // a gap: wait for the batches before it
    }
    int skip = (int) (applied + 1 - h.first());
    List<Digested> digests = new ArrayList<>(0);
    boolean ran =
        volume.applyAsSecondary(
            h.stream().epoch(),
            () -> {
              for (int i = skip; i < entries.size(); i++) {
                BatchEntry e = entries.get(i);
                if (e.verify()) {
                  digests.add(new Digested(h.first() + i, digest(volume, e)));
                } else if (e.isZeroes()) {
                  volume.writeZeroes(e.offset(), e.length());
                } else {
                  volume.write(e.offset(), e.data().duplicate());
                }
              }
            });
    if (!ran) {
      refuse(h, "this unit holds the primary of the group at that epoch or a later one");
      return true;
    }
    if (state == null) {
      state = new AppliedStream(h.groupId(), h.stream(), h.source(), 0);
      streams.put(h.groupId(), state);
    } else if (newStream) {
      state.stream = h.stream();
      state.source = h.source();
      state.durable = 0;
      state.digests.clear(); // the old stream's verify is over
    }
    state.applied = h.last();
    state.lastWrite = h.lastWrite();
    state.resyncing = h.resyncing();
    state.digests.addAll(digests);
    state.changed = true;
    if (h.checkpoint()) {
      plan.ask();
    }
    if (writesData(entries, skip)) {
      plan.wrote(volume); // a batch of markers alone leaves nothing in the volume to force
    }
    toAcknowledge.add(state);
    publish(state);
    return true;
  }

  /**
   * A batch sent while this copy was out of date (the primary's out-of-date notice, or a resync's)
   * that waits behind a gap still says so at once: the batches of the gap may never come (a broker
   * restart loses SYNC batches, and a dead primary cannot send them again), and meanwhile this copy
   * must not look whole. Applying the batches in order later sets it from each batch again.
   */
  void toldOutOfDate(BatchFormat.Header h) {
    AppliedStream state = streams.get(h.groupId());
    if (state == null || state.resyncing || !h.stream().equals(state.stream)) {
      return;
    }
    state.resyncing = true;
    state.changed = true;
    publish(state);
  }

  /**
   * The digest of a verify entry's range as this copy holds it after every write before the entry
   * in the stream, which the primary compares with its own at the same point.
   */
  private RegionDigest digest(ReplicaVolume volume, BatchEntry e) {
    int length = (int) Math.min(e.length(), Math.max(0, volume.sizeBytes() - e.offset()));
    if (verifyBuffer.capacity() < length) {
      verifyBuffer = ByteBuffer.allocate(length);
    }
    ByteBuffer range = verifyBuffer.clear().limit(length);
    volume.readStored(e.offset(), range);
    range.flip();
    return new RegionDigest(e.offset(), RegionDigest.of(range));
  }

  static boolean writesData(List<BatchEntry> entries, int from) {
    for (int i = from; i < entries.size(); i++) {
      if (entries.get(i).writes()) {
        return true;
      }
    }
    return false;
  }

  private void refuse(BatchFormat.Header h, String why) {
    if (warned.add(h.groupId() + "@" + h.stream())) {
      LOG.warning(
          "refused write data of copy group "
              + h.groupId()
              + " from "
              + h.source()
              + " ("
              + h.stream()
              + ", writes "
              + h.first()
              + "-"
              + h.last()
              + "): "
              + why);
    }
  }

  private AppliedStream state(String groupId) {
    AppliedStream state = streams.get(groupId);
    if (state == null && !streams.containsKey(groupId)) {
      try {
        state = AppliedStream.load(stateFile(groupId), groupId);
      } catch (IOException | RuntimeException e) {
        throw new StorageException(
            Reason.IO_ERROR, "cannot read what copy group " + groupId + " applied: " + e, e);
      }
      if (state != null) {
        streams.put(groupId, state);
      }
    }
    return state;
  }

  private Path stateFile(String groupId) {
    return volumes.stateDirectory().resolve(groupId + ".applied");
  }

  private void publish(AppliedStream s) {
    published.put(s.groupId, s.position(s.durable));
  }

  // ---- checkpoints ----

  /** The streams changed since the last call, as they are now, for a checkpoint to save. */
  List<Checkpoint.Stream> changedStreams() {
    List<Checkpoint.Stream> changed = new ArrayList<>();
    for (AppliedStream s : streams.values()) {
      if (s.changed) {
        changed.add(new Checkpoint.Stream(s, s.toSave(), stateFile(s.groupId)));
        s.changed = false;
      }
    }
    return changed;
  }

  /** The checkpoint's streams are durable up to where they were when it began. */
  void durable(Checkpoint c) {
    for (Checkpoint.Stream d : c.streams) {
      AppliedStream s = d.state();
      if (s.stream.equals(d.saved().stream()) && d.saved().applied() > s.durable) {
        s.durable = d.saved().applied();
        toAcknowledge.add(s);
        publish(s);
      }
    }
  }

  /** A failed checkpoint's streams are saved by the next one. */
  void takeUp(Checkpoint failed) {
    failed.streams.forEach(s -> s.state().changed = true);
  }

  /** Everything applied is durable now (markers alone since the last checkpoint). */
  void allDurable() {
    for (AppliedStream s : streams.values()) {
      if (s.durable != s.applied) {
        s.durable = s.applied;
        toAcknowledge.add(s);
        publish(s);
      }
    }
  }

  // ---- acknowledgements to the primaries ----

  /** An acknowledgement for the primary {@code to}. */
  record Acknowledgement(String to, BatchFormat.Ack ack) {}

  /**
   * What each stream owes its primary, taken. Digests beyond what one message carries go first,
   * each message saying it has applied up to its last digest: the primary takes a verify entry at
   * or below an acknowledgement's applied sequence whose digest did not come as lost (its
   * acknowledgement was), and asks for that region again.
   */
  List<Acknowledgement> takeAcknowledgements() {
    List<Acknowledgement> acks = new ArrayList<>(toAcknowledge.size());
    for (AppliedStream s : toAcknowledge) {
      while (s.digests.size() > RegionDigest.MAX_PER_ACK) {
        List<Digested> part = s.digests.subList(0, RegionDigest.MAX_PER_ACK);
        acks.add(ack(s, part.get(part.size() - 1).sequence(), part));
        part.clear();
      }
      acks.add(ack(s, s.applied, s.digests));
      s.digests.clear();
    }
    toAcknowledge.clear();
    return acks;
  }

  private Acknowledgement ack(AppliedStream s, long applied, List<Digested> digests) {
    List<RegionDigest> regions = new ArrayList<>(digests.size());
    digests.forEach(d -> regions.add(d.digest()));
    return new Acknowledgement(
        s.source,
        new BatchFormat.Ack(
            s.groupId, s.stream, volumes.storageSystem(), applied, s.durable, regions));
  }

  /** A new connection: the primaries hear again from what comes. */
  void forgetAcknowledgements() {
    toAcknowledge.clear();
  }
}
