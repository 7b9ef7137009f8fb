package org.roamstore.storage.replication.receive;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.replication.MessagingLoop;
import org.roamstore.storage.replication.RemoteCopySettings;
import org.roamstore.storage.replication.ReplicaVolume;
import org.roamstore.storage.replication.ReplicaVolumes;
import org.roamstore.storage.replication.batch.BatchEntry;
import org.roamstore.storage.replication.batch.BatchFormat;
import org.roamstore.storage.replication.batch.Queues;

/**
 * The write data receive process (reference text, 135; Fig. 12) of one control unit: consumes its
 * inbound queue in a transacted session, applies each batch to the volume's cache in sequence order
 * (step 1200) and acknowledges it to the primary at once (step 1201). Consumption is committed only
 * at a checkpoint, after the volumes are flushed and the applied sequences saved, so the secondary
 * needs no disk force per batch and a crash costs only a redelivery. A checkpoint comes every
 * interval, or at once after a batch that asks for it: a synchronize-cache marker or a SYNC
 * volume's FLUSH, whose caller waits for durable data.
 *
 * <p>A batch that does not follow the last applied one (a gap, or a copy group not defined here
 * yet) is held back, never skipped; it blocks the commit, and if the gap does not close within a
 * few seconds the session is rolled back so the broker delivers everything again.
 */
public final class WriteDataReceiveProcess extends MessagingLoop {
  private static final Logger LOG = Logger.getLogger(WriteDataReceiveProcess.class.getName());
  private static final int MAX_MESSAGES_PER_ROUND = 128;
  private static final long HOLD_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final long MAX_HELD_BYTES = 64L << 20;

  private final String self;
  private final ReplicaVolumes volumes;
  private final RemoteCopySettings settings;
  private final Map<String, AppliedStream> streams = new HashMap<>();
  private final Map<String, CopyGroupStatus.Applied> published = new ConcurrentHashMap<>();
  private final Set<String> warned = new java.util.HashSet<>();
  private final List<Held> held = new ArrayList<>();
  private final Set<ReplicaVolume> touched = new LinkedHashSet<>();
  private final Set<AppliedStream> toAcknowledge = new LinkedHashSet<>();
  private final Map<String, Queue> ackQueues = new HashMap<>();

  private Session session;
  private MessageConsumer consumer;
  private Session ackSession;
  private MessageProducer ackProducer;
  private byte[] receiveBuffer = new byte[0];
  private int uncommitted;
  private long heldBytes;
  private long bytesSinceCheckpoint;
  private long lastCheckpointNanos = System.nanoTime();
  // A batch applied since the last checkpoint asked for one at once (someone at the primary waits).
  private boolean checkpointAsked;
  // Every batch received since the last commit (or rollback) was one of markers only.
  private boolean markersOnly = true;

  private record Held(
      BatchFormat.Header header, List<BatchEntry> entries, long bytes, long since) {}

  public WriteDataReceiveProcess(
      ConnectionFactory factory, ReplicaVolumes volumes, RemoteCopySettings settings) {
    super(factory, "write data receive process of " + volumes.storageSystem());
    this.self = volumes.storageSystem();
    this.volumes = volumes;
    this.settings = settings;
  }

  /** What this unit has applied of the group's stream; null if nothing yet. */
  public CopyGroupStatus.Applied applied(String groupId) {
    CopyGroupStatus.Applied applied = published.get(groupId);
    if (applied != null) {
      return applied;
    }
    try {
      AppliedStream saved = AppliedStream.load(stateFile(groupId), groupId);
      return saved == null
          ? null
          : new CopyGroupStatus.Applied(saved.stream.epoch(), saved.applied, saved.applied);
    } catch (IOException | RuntimeException e) {
      throw new StorageException(
          Reason.IO_ERROR, "cannot read what copy group " + groupId + " applied: " + e, e);
    }
  }

  @Override
  protected void open(Connection connection) throws JMSException {
    session = connection.createSession(true, Session.SESSION_TRANSACTED);
    consumer = session.createConsumer(session.createQueue(Queues.writeData(self)));
    ackSession = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
    ackProducer = ackSession.createProducer(null);
    ackProducer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
    ackQueues.clear();
    uncommitted = 0;
    bytesSinceCheckpoint = 0;
    lastCheckpointNanos = System.nanoTime();
  }

  @Override
  protected void step() throws JMSException {
    long interval = settings.checkpointInterval().toNanos();
    // At most 100 ms, so that a stop is noticed whatever the checkpoint interval.
    long wait =
        uncommitted == 0
            ? 100
            : Math.max(
                1,
                Math.min(
                    100,
                    TimeUnit.NANOSECONDS.toMillis(
                        interval - (System.nanoTime() - lastCheckpointNanos))));
    Message message = consumer.receive(wait);
    int n = 0;
    while (message != null) {
      receive(message);
      // After a SYNC batch (acknowledged already) the round ends: a receiveNoWait that finds
      // nothing buffered costs a round trip to the broker (Artemis forces a delivery), while the
      // next receive returns a buffered batch at once and waits for one without a round trip.
      if (++n >= MAX_MESSAGES_PER_ROUND
          || bytesSinceCheckpoint >= settings.checkpointBytes()
          || message.getJMSDeliveryMode() == DeliveryMode.NON_PERSISTENT) {
        break;
      }
      message = consumer.receiveNoWait();
    }
    acknowledge();
    if (uncommitted > 0
        && (checkpointAsked
            || System.nanoTime() - lastCheckpointNanos >= interval
            || bytesSinceCheckpoint >= settings.checkpointBytes())) {
      checkpoint();
    }
  }

  @Override
  protected void finish() throws JMSException {
    if (uncommitted > 0) {
      checkpoint();
    }
  }

  @Override
  protected void lost() {
    // Everything not committed comes again; what is in the cache is skipped as a duplicate.
    held.clear();
    heldBytes = 0;
    uncommitted = 0;
    checkpointAsked = false;
    markersOnly = true;
    toAcknowledge.clear();
    session = null;
  }

  private void receive(Message message) throws JMSException {
    uncommitted++;
    boolean markersBefore = markersOnly;
    markersOnly = false; // until this one is known to be a batch of markers, taken
    if (!(message instanceof BytesMessage bytes)) {
      LOG.warning("ignoring a message that is no write data batch: " + message);
      return;
    }
    BatchFormat.Header header;
    List<BatchEntry> entries;
    ByteBuffer body;
    try {
      header = BatchFormat.Header.of(message);
      body = BatchFormat.body(bytes, receiveBuffer);
      if (body.hasArray() && body.array().length > receiveBuffer.length) {
        receiveBuffer = body.array(); // grows to the largest batch, then is reused
      }
      entries = BatchFormat.entries(body.duplicate());
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "ignoring a malformed write data batch", e);
      return;
    }
    int size = body.remaining();
    bytesSinceCheckpoint += size;
    boolean markers = header.checkpoint() && !writesData(entries, 0);
    if (offer(header, entries)) {
      markersOnly = markersBefore && markers;
      retryHeld();
      if (message.getJMSDeliveryMode() == DeliveryMode.NON_PERSISTENT) {
        // A SYNC batch: its writers wait for this acknowledgement. Sent now, not after the round:
        // the receiveNoWait that ends a round costs a round trip to the broker when nothing is
        // buffered (Artemis forces a delivery), which would sit on every SYNC write's path.
        acknowledge();
      }
    } else {
      // Held back: its entries must outlive the receive buffer, which the next batch overwrites.
      ByteBuffer own = ByteBuffer.allocate(size).put(body.duplicate()).flip();
      held.add(new Held(header, BatchFormat.entries(own), size, System.nanoTime()));
      heldBytes += size;
    }
  }

  /** Applies a batch, or ignores or refuses it; returns false if it must wait (held back). */
  private boolean offer(BatchFormat.Header h, List<BatchEntry> entries) {
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
    long applied = newStream ? 0 : state.applied;
    if (h.last() <= applied) {
      toAcknowledge.add(state); // a duplicate (redelivery): the primary may need to hear again
      checkpointAsked |= h.checkpoint();
      return true;
    }
    if (h.first() > applied + 1) {
      return false; // a gap: wait for the batches before it
    }
    int skip = (int) (applied + 1 - h.first());
    boolean ran =
        volume.applyAsSecondary(
            h.stream().epoch(),
            () -> {
              for (int i = skip; i < entries.size(); i++) {
                BatchEntry e = entries.get(i);
                if (e.isZeroes()) {
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
    }
    state.applied = h.last();
    state.changed = true;
    checkpointAsked |= h.checkpoint();
    if (writesData(entries, skip)) {
      touched.add(volume); // a batch of markers alone leaves nothing in the volume to force
    }
    toAcknowledge.add(state);
    publish(state);
    return true;
  }

  private static boolean writesData(List<BatchEntry> entries, int from) {
    for (int i = from; i < entries.size(); i++) {
      if (entries.get(i).length() > 0) {
        return true;
      }
    }
    return false;
  }

  private void retryHeld() {
    boolean progress = true;
    while (progress && !held.isEmpty()) {
      progress = false;
      held.sort(
          Comparator.comparing((Held x) -> x.header().stream())
              .thenComparingLong(x -> x.header().first()));
      for (Held x : held) {
        if (offer(x.header(), x.entries())) {
          held.remove(x);
          heldBytes -= x.bytes();
          progress = true;
          break;
        }
      }
    }
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
    published.put(s.groupId, new CopyGroupStatus.Applied(s.stream.epoch(), s.applied, s.durable));
  }

  /**
   * Makes what was applied durable (volumes flushed, sequences saved) and only then tells the
   * broker the batches are consumed.
   */
  private void checkpoint() throws JMSException {
    if (checkpointAsked && markersOnly && held.isEmpty() && touched.isEmpty()) {
      // Only markers since the last commit: every write before them is durable already, and the
      // markers themselves carry nothing (redelivered after a crash, they are applied again or
      // refused, harmlessly). So they are durable as they are; the periodic checkpoint commits
      // them later, off the path of whoever waits.
      acknowledgeAllDurable();
      checkpointAsked = false;
      return;
    }
    for (ReplicaVolume v : touched) {
      v.flush();
    }
    touched.clear();
    for (AppliedStream s : streams.values()) {
      if (s.changed) {
        try {
          s.save(stateFile(s.groupId));
        } catch (IOException e) {
          throw new StorageException(
              Reason.IO_ERROR, "cannot save what copy group " + s.groupId + " applied: " + e, e);
        }
        s.changed = false;
      }
    }
    long now = System.nanoTime();
    if (held.isEmpty()) {
      session.commit();
      uncommitted = 0;
      markersOnly = true;
      acknowledgeAllDurable();
    } else if (heldBytes > MAX_HELD_BYTES || now - held.get(0).since() > HOLD_NANOS) {
      LOG.warning(
          "write data of copy group "
              + held.get(0).header().groupId()
              + " waits for a batch that does not come (or for its copy group); asking the"
              + " broker to deliver everything uncommitted again");
      session.rollback();
      held.clear();
      heldBytes = 0;
      uncommitted = 0;
      markersOnly = true;
    }
    bytesSinceCheckpoint = 0;
    lastCheckpointNanos = now;
    checkpointAsked = false;
  }

  /** Everything applied is durable now: says so to the primaries. */
  private void acknowledgeAllDurable() throws JMSException {
    for (AppliedStream s : streams.values()) {
      if (s.durable != s.applied) {
        s.durable = s.applied;
        toAcknowledge.add(s);
        publish(s);
      }
    }
    acknowledge();
  }

  private void acknowledge() throws JMSException {
    for (AppliedStream s : toAcknowledge) {
      Message ack = ackSession.createMessage();
      new BatchFormat.Ack(s.groupId, s.stream, self, s.applied, s.durable).writeTo(ack);
      ackProducer.send(ackQueue(s.source), ack);
    }
    toAcknowledge.clear();
  }

  private Queue ackQueue(String storageSystem) throws JMSException {
    Queue q = ackQueues.get(storageSystem);
    if (q == null) {
      q = ackSession.createQueue(Queues.acks(storageSystem));
      ackQueues.put(storageSystem, q);
    }
    return q;
  }
}
