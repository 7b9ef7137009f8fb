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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
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
import org.roamstore.storage.replication.batch.RegionDigest;
import org.roamstore.storage.replication.receive.AppliedStream.Digested;

/**
 * The write data receive process (reference text, 135; Fig. 12) of one control unit: consumes its
 * inbound queue, applies each batch to the volume's cache in sequence order (step 1200) and
 * acknowledges it to the primary at once (step 1201). The broker is told a batch is consumed only
 * after a checkpoint has flushed the volumes and saved the applied sequences, so the secondary
 * needs no disk force per batch and a crash costs only a redelivery. A checkpoint comes every
 * interval, or at once after a batch that asks for it: a synchronize-cache marker or a SYNC
 * volume's FLUSH, whose caller waits for durable data.
 *
 * <p>A checkpoint runs on a thread of its own while this loop goes on applying: a volume's force
 * after random writes took 0.05 s under SYNC load and over a second under ASYNC load, and in the
 * loop it held up every batch behind it (SYNC writes waited, an ASYNC backlog piled up in the
 * broker and was paged to disk). So each batch is acknowledged to the broker on its own (Artemis's
 * individual acknowledgement), once a checkpoint that began after it was applied has completed; a
 * transacted session's commit would also consume the batches applied during the force.
 *
 * <p>SYNC batches come through a queue of their own ({@link Queues#syncWriteData}) to a consumer on
 * a thread of its own, the SYNC lane: they never wait behind the ASYNC batches in the write data
 * queue, behind this loop applying them, or behind this loop waiting for a checkpoint when the
 * ASYNC bytes applied since the last one are at the bound. Both threads apply and acknowledge under
 * one lock; each session is used by its own thread only. A stream starts through the write data
 * queue (the primary sends its first batches there): a batch of the lane that would start a stream
 * is held back until one from that queue has, so a newer stream never overtakes the rest of an
 * older one still queued there.
 *
 * <p>A batch that does not follow the last applied one (a gap, or a copy group not defined here
 * yet) is held back, never skipped and never acknowledged; if the gap does not close within a few
 * seconds the session is recovered so the broker delivers everything unacknowledged again (the
 * lane's held batches stay held: that session is not recovered).
 */
public final class WriteDataReceiveProcess extends MessagingLoop {
  private static final Logger LOG = Logger.getLogger(WriteDataReceiveProcess.class.getName());
  private static final int MAX_MESSAGES_PER_ROUND = 128;
  private static final long HOLD_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final long MAX_HELD_BYTES = 64L << 20;
  // Artemis's individual acknowledgement mode (ActiveMQJMSConstants.INDIVIDUAL_ACKNOWLEDGE), by
  // value: the engine speaks the Jakarta Messaging API and leaves the client to the class path.
  private static final int INDIVIDUAL_ACKNOWLEDGE = 101;
  // While a checkpoint runs, how often the loop looks whether it is done when no batch arrives.
  private static final long CHECKPOINT_POLL_MILLIS = 5;

  private final String self;
  private final ReplicaVolumes volumes;
  private final RemoteCopySettings settings;
  private final Map<String, AppliedStream> streams = new HashMap<>();
  private final Map<String, CopyGroupStatus.Applied> published = new ConcurrentHashMap<>();
  private final Set<String> warned = new java.util.HashSet<>();
  private final List<Held> held = new ArrayList<>();
  private final Set<AppliedStream> toAcknowledge = new LinkedHashSet<>();
  private final Map<String, Queue> ackQueues = new HashMap<>();
  private final Executor executor;
  // Guards the state above and below against the SYNC lane: everything but the sessions.
  private final ReentrantLock lock = new ReentrantLock();
  // Batches made durable, for the thread of their session to acknowledge to the broker: a
  // checkpoint is completed by whichever thread sees it done first.
  private final ConcurrentLinkedQueue<Message> laneDurable = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Message> loopDurable = new ConcurrentLinkedQueue<>();

  private Session session;
  private SyncLane lane;
  private MessageConsumer consumer;
  private Session ackSession;
  private MessageProducer ackProducer;
  private byte[] receiveBuffer = new byte[0];
  private ByteBuffer verifyBuffer = ByteBuffer.allocate(0);
  // Batches dealt with (applied, skipped or refused) since the last checkpoint began.
  private List<Message> settled = new ArrayList<>();
  // Volumes written since the last checkpoint began.
  private Set<ReplicaVolume> touched = new LinkedHashSet<>();
  private volatile Checkpoint running;
  private long heldBytes;
  private long bytesSinceCheckpoint;
  private long lastCheckpointNanos = System.nanoTime();
  // A batch applied since the last checkpoint asked for one at once (someone at the primary waits).
  private boolean checkpointAsked;
  // Every batch settled since the last checkpoint began was one of markers only.
  private boolean markersOnly = true;

  private record Held(
      Message message,
      BatchFormat.Header header,
      List<BatchEntry> entries,
      long bytes,
      long since,
      boolean fromLane) {}

  /** {@code executor}: where checkpoints run, beside this loop. */
  public WriteDataReceiveProcess(
      ConnectionFactory factory,
      ReplicaVolumes volumes,
      RemoteCopySettings settings,
      Executor executor) {
    super(factory, "write data receive process of " + volumes.storageSystem());
    this.self = volumes.storageSystem();
    this.volumes = volumes;
    this.settings = settings;
    this.executor = executor;
  }

  /** What this unit has applied of the group's stream; null if nothing yet. */
  public CopyGroupStatus.Applied applied(String groupId) {
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

  @Override
  protected void open(Connection connection) throws JMSException {
    session = connection.createSession(false, INDIVIDUAL_ACKNOWLEDGE);
    consumer = session.createConsumer(session.createQueue(Queues.writeData(self)));
    ackSession = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
    ackProducer = ackSession.createProducer(null);
    ackProducer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
    ackQueues.clear();
    bytesSinceCheckpoint = 0;
    lastCheckpointNanos = System.nanoTime();
    lane = new SyncLane(connection);
    try {
      executor.execute(lane);
    } catch (RejectedExecutionException e) {
      LOG.warning("no thread for the SYNC lane of " + self + "; this loop polls it");
      lane.inline = true;
    }
  }

  @Override
  protected void step() throws JMSException {
    if (lane.failure != null) {
      throw new JMSException("the SYNC lane of " + self + " failed: " + lane.failure);
    }
    // Bounded memory: past the checkpoint size, wait for the running checkpoint before taking more
    // (the SYNC lane goes on meanwhile).
    Checkpoint bound = running;
    if (bound != null && bytesSinceCheckpoint() >= settings.checkpointBytes()) {
      bound.await();
    }
    long wait;
    lock.lock();
    try {
      completeCheckpoint(false);
      wait = receiveWaitMillis();
    } finally {
      lock.unlock();
    }
    if (lane.inline) {
      lane.serve(false);
      wait = Math.min(wait, 1);
    }
    Message message = consumer.receive(wait);
    int n = 0;
    while (message != null) {
      boolean roundEnds;
      lock.lock();
      try {
        receive(message, false);
        // After a SYNC batch (acknowledged already) the round ends: a receiveNoWait that finds
        // nothing buffered costs a round trip to the broker (Artemis forces a delivery), while the
        // next receive returns a buffered batch at once and waits for one without a round trip.
        roundEnds =
            ++n >= MAX_MESSAGES_PER_ROUND
                || bytesSinceCheckpoint >= settings.checkpointBytes()
                || message.getJMSDeliveryMode() == DeliveryMode.NON_PERSISTENT;
      } finally {
        lock.unlock();
      }
      if (roundEnds) {
        break;
      }
      message = consumer.receiveNoWait();
    }
    lock.lock();
    try {
      afterRound();
      if (!held.isEmpty()
          && (heldBytes > MAX_HELD_BYTES || System.nanoTime() - held.get(0).since() > HOLD_NANOS)) {
        redeliverUnacknowledged();
      }
    } finally {
      lock.unlock();
    }
    acknowledgeDurable(loopDurable);
  }

  /**
   * After a round of either thread, with the lock held: acknowledgements to the primaries, and the
   * checkpoints (a SYNC FLUSH's marker comes through the lane, and its writer waits for one).
   */
  private void afterRound() throws JMSException {
    acknowledge();
    completeCheckpoint(false);
    if (running == null && checkpointDue()) {
      startCheckpoint();
    }
  }

  private static void acknowledgeDurable(ConcurrentLinkedQueue<Message> durable)
      throws JMSException {
    for (Message m; (m = durable.poll()) != null; ) {
      m.acknowledge();
    }
  }

  private long bytesSinceCheckpoint() {
    lock.lock();
    try {
      return bytesSinceCheckpoint;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The consumer of the SYNC queue, on a thread of its own (or polled by the loop if the executor
   * has none to give). It acknowledges its own batches to the broker, once a checkpoint of the loop
   * has made them durable: a session is single-threaded.
   */
  private final class SyncLane implements Runnable {
    private final Session laneSession;
    private final MessageConsumer laneConsumer;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stop;
    volatile boolean inline;
    volatile Exception failure;

    SyncLane(Connection connection) throws JMSException {
      laneSession = connection.createSession(false, INDIVIDUAL_ACKNOWLEDGE);
      laneConsumer =
          laneSession.createConsumer(laneSession.createQueue(Queues.syncWriteData(self)));
    }

    @Override
    public void run() {
      try {
        while (!stop) {
          serve(true);
        }
      } catch (JMSException | RuntimeException e) {
        if (!stop) {
          failure = e; // the loop reconnects
        }
      } finally {
        stopped.countDown();
      }
    }

    /** Takes one SYNC batch (waiting up to 100 ms for one if {@code wait}). */
    void serve(boolean wait) throws JMSException {
      Message m;
      if (wait) {
        m = laneConsumer.receive(running != null ? CHECKPOINT_POLL_MILLIS : 100);
      } else {
        m = laneConsumer.receiveNoWait();
      }
      lock.lock();
      try {
        if (m != null) {
          receive(m, true);
        }
        afterRound();
      } finally {
        lock.unlock();
      }
      acknowledgeDurable(laneDurable);
    }

    /**
     * Whether its batches are acknowledged by its own thread (else by the loop's, once it stops).
     */
    boolean running() {
      return !inline && !stop;
    }

    /** Stops its thread and waits for it (a receive returns within 100 ms). */
    void stopAndWait() {
      stop = true;
      if (inline) {
        return;
      }
      try {
        if (!stopped.await(10, TimeUnit.SECONDS)) {
          LOG.warning("the SYNC lane of " + self + " did not stop in time");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static boolean fromLane(Message m) throws JMSException {
    return m.getJMSDestination() instanceof Queue q
        && q.getQueueName().startsWith(Queues.SYNC_PREFIX);
  }

  /** At most 100 ms, so that a stop is noticed whatever the checkpoint interval. */
  private long receiveWaitMillis() {
    if (running != null) {
      return CHECKPOINT_POLL_MILLIS;
    }
    if (settled.isEmpty() && touched.isEmpty()) {
      return 100;
    }
    long left = settings.checkpointInterval().toNanos() - (System.nanoTime() - lastCheckpointNanos);
    return Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left)));
  }

  private boolean checkpointDue() {
    return (!settled.isEmpty() || !touched.isEmpty())
        && (checkpointAsked
            || System.nanoTime() - lastCheckpointNanos >= settings.checkpointInterval().toNanos()
            || bytesSinceCheckpoint >= settings.checkpointBytes());
  }

  @Override
  protected void finish() throws JMSException {
    lane.stopAndWait();
    completeCheckpoint(true);
    if (!settled.isEmpty() || !touched.isEmpty()) {
      checkpointAsked = false; // the whole checkpoint, not the one of markers alone
      startCheckpoint();
      completeCheckpoint(true);
    }
    acknowledgeDurable(loopDurable);
    acknowledgeDurable(laneDurable); // the lane's thread is gone: this one may use its session now
  }

  @Override
  protected void lost() {
    if (lane != null) {
      lane.stopAndWait();
      lane = null;
    }
    laneDurable.clear();
    loopDurable.clear();
    // Everything unacknowledged comes again; what is in the cache is skipped as a duplicate. A
    // running checkpoint still makes what it covers durable; only its acknowledgements are moot.
    if (running != null) {
      running.await();
      Checkpoint c = running;
      running = null;
      if (c.failure() == null) {
        markDurable(c);
      } else {
        takeUp(c);
      }
    }
    held.clear();
    heldBytes = 0;
    settled = new ArrayList<>();
    checkpointAsked = false;
    markersOnly = true;
    toAcknowledge.clear();
    session = null;
  }

  private void receive(Message message, boolean fromLane) throws JMSException {
    boolean markersBefore = markersOnly;
    markersOnly = false; // until this one is known to be a batch of markers, taken
    if (!(message instanceof BytesMessage bytes)) {
      LOG.warning("ignoring a message that is no write data batch: " + message);
      settled.add(message);
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
      settled.add(message);
      return;
    }
    int size = body.remaining();
    bytesSinceCheckpoint += size;
    boolean markers = header.checkpoint() && !writesData(entries, 0);
    if (offer(header, entries, fromLane)) {
      markersOnly = markersBefore && markers;
      settled.add(message);
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
      held.add(
          new Held(message, header, BatchFormat.entries(own), size, System.nanoTime(), fromLane));
      heldBytes += size;
      if (header.resyncing()) {
        toldOutOfDate(header);
      }
    }
  }

  /**
   * A batch sent while this copy was out of date (the primary's out-of-date notice, or a resync's)
   * that waits behind a gap still says so at once: the batches of the gap may never come (a broker
   * restart loses SYNC batches, and a dead primary cannot send them again), and meanwhile this copy
   * must not look whole. Applying the batches in order later sets it from each batch again.
   */
  private void toldOutOfDate(BatchFormat.Header h) {
    AppliedStream state = streams.get(h.groupId());
    if (state == null || state.resyncing || !h.stream().equals(state.stream)) {
      return;
    }
    state.resyncing = true;
    state.changed = true;
    publish(state);
  }

  /** Applies a batch, or ignores or refuses it; returns false if it must wait (held back). */
  private boolean offer(BatchFormat.Header h, List<BatchEntry> entries, boolean fromLane) {
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
      checkpointAsked |= h.checkpoint();
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
    checkpointAsked |= h.checkpoint();
    if (writesData(entries, skip)) {
      touched.add(volume); // a batch of markers alone leaves nothing in the volume to force
    }
    toAcknowledge.add(state);
    publish(state);
    return true;
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

  private static boolean writesData(List<BatchEntry> entries, int from) {
    for (int i = from; i < entries.size(); i++) {
      if (entries.get(i).writes()) {
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
        if (offer(x.header(), x.entries(), x.fromLane())) {
          held.remove(x);
          settled.add(x.message());
          markersOnly = false;
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
    published.put(s.groupId, s.position(s.durable));
  }

  /**
   * Begins making what was applied durable (volumes flushed, sequences saved), off this loop; the
   * broker hears the batches are consumed when it is done ({@link #completeCheckpoint}).
   */
  private void startCheckpoint() throws JMSException {
    long now = System.nanoTime();
    if (checkpointAsked && markersOnly && held.isEmpty() && touched.isEmpty()) {
      // Only markers since the last checkpoint, which has completed: every write before them is
      // durable already, and the markers themselves carry nothing (redelivered after a crash,
      // they are applied again or refused, harmlessly). So they are durable as they are; the
      // periodic checkpoint acknowledges them to the broker later, off the path of whoever waits.
      acknowledgeAllDurable();
      checkpointAsked = false;
      return;
    }
    List<Checkpoint.Stream> streamsNow = new ArrayList<>();
    for (AppliedStream s : streams.values()) {
      if (s.changed) {
        streamsNow.add(new Checkpoint.Stream(s, s.toSave(), stateFile(s.groupId)));
        s.changed = false;
      }
    }
    running = new Checkpoint(settled, touched, streamsNow);
    settled = new ArrayList<>();
    touched = new LinkedHashSet<>();
    markersOnly = true;
    checkpointAsked = false;
    bytesSinceCheckpoint = 0;
    lastCheckpointNanos = now;
    try {
      executor.execute(running);
    } catch (RejectedExecutionException e) {
      running.run(); // no thread to spare: the loop waits for the force, as it must
    }
  }

  /**
   * Once the running checkpoint is done (at once if {@code wait}, for it): acknowledges its batches
   * to the broker and tells the primaries what is durable. A failed one is taken up by the next.
   */
  private void completeCheckpoint(boolean wait) throws JMSException {
    if (running == null || (!wait && !running.isDone())) {
      return;
    }
    running.await();
    Checkpoint c = running;
    running = null;
    if (c.failure() != null) {
      LOG.log(Level.WARNING, "checkpoint of " + self + " failed; it is tried again", c.failure());
      takeUp(c);
      return;
    }
    for (Message m : c.batches) {
      (fromLane(m) && lane != null && lane.running() ? laneDurable : loopDurable).add(m);
    }
    markDurable(c);
    acknowledge();
  }

  /** A failed checkpoint's volumes, batches and streams go to the next one. */
  private void takeUp(Checkpoint failed) {
    touched.addAll(failed.flush);
    settled.addAll(0, failed.batches);
    failed.streams.forEach(s -> s.state().changed = true);
    markersOnly = false;
  }

  /** The checkpoint's streams are durable up to where they were when it began. */
  private void markDurable(Checkpoint c) {
    for (Checkpoint.Stream d : c.streams) {
      AppliedStream s = d.state();
      if (s.stream.equals(d.saved().stream()) && d.saved().applied() > s.durable) {
        s.durable = d.saved().applied();
        toAcknowledge.add(s);
        publish(s);
      }
    }
  }

  /**
   * A gap that does not close (or write data for a group not defined here): lets go of everything
   * unacknowledged so the broker delivers it again, from the oldest.
   */
  private void redeliverUnacknowledged() throws JMSException {
    LOG.warning(
        "write data of copy group "
            + held.get(0).header().groupId()
            + " waits for a batch that does not come (or for its copy group); asking the"
            + " broker to deliver everything unacknowledged again");
    completeCheckpoint(true);
    acknowledgeDurable(loopDurable);
    session.recover();
    // The lane's session is not recovered: its held batches stay, waiting for their gap again, and
    // what it settled is acknowledged by the next checkpoint.
    long now = System.nanoTime();
    List<Held> lanes = new ArrayList<>();
    heldBytes = 0;
    for (Held x : held) {
      if (x.fromLane()) {
        lanes.add(new Held(x.message(), x.header(), x.entries(), x.bytes(), now, x.fromLane()));
        heldBytes += x.bytes();
      }
    }
    held.clear();
    held.addAll(lanes);
    List<Message> kept = new ArrayList<>();
    for (Message m : settled) {
      if (fromLane(m)) {
        kept.add(m);
      }
    }
    settled = kept; // the others are delivered again, skipped as duplicates, settled again
  }

  /** Everything applied is durable now (markers alone since): says so to the primaries. */
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
      // Digests beyond what one message carries go first, each message saying it has applied up
      // to its last digest: the primary takes a verify entry at or below an acknowledgement's
      // applied sequence whose digest did not come as lost (its acknowledgement was), and asks
      // for that region again.
      while (s.digests.size() > RegionDigest.MAX_PER_ACK) {
        List<Digested> part = s.digests.subList(0, RegionDigest.MAX_PER_ACK);
        sendAck(s, part.get(part.size() - 1).sequence(), part);
        part.clear();
      }
      sendAck(s, s.applied, s.digests);
      s.digests.clear();
    }
    toAcknowledge.clear();
  }

  private void sendAck(AppliedStream s, long applied, List<Digested> digests) throws JMSException {
    Message ack = ackSession.createMessage();
    List<RegionDigest> regions = new ArrayList<>(digests.size());
    digests.forEach(d -> regions.add(d.digest()));
    new BatchFormat.Ack(s.groupId, s.stream, self, applied, s.durable, regions).writeTo(ack);
    ackProducer.send(ackQueue(s.source), ack);
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
