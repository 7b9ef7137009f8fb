package org.roamstore.storage.replication.receive;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.Topic;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.replication.ArtemisSessions;
import org.roamstore.storage.replication.DurableSubscriptions;
import org.roamstore.storage.replication.MessagingLoop;
import org.roamstore.storage.replication.RemoteCopySettings;
import org.roamstore.storage.replication.ReplicaVolumes;
import org.roamstore.storage.replication.batch.BatchEntry;
import org.roamstore.storage.replication.batch.BatchFormat;
import org.roamstore.storage.replication.batch.Queues;

/**
 * The write data receive process (reference text, 135; Fig. 12) of one control unit: consumes its
 * inbound queue, applies each batch to the volume's cache in sequence order (step 1200) and
 * acknowledges it to the primary at once (step 1201). The broker is told a batch is consumed only
 * after a checkpoint has flushed the volumes and saved the applied sequences, so the secondary
 * needs no disk force per batch and a crash costs only a redelivery. A checkpoint comes every
 * interval, or at once after a batch that asks for it: a synchronize-cache marker or a SYNC
 * volume's FLUSH, whose caller waits for durable data. What a batch does to a copy (order, gaps,
 * older streams, the applied positions) is the {@link StreamApplier}'s, when a checkpoint is due
 * the {@link CheckpointPlan}'s; this class moves messages between them and the broker.
 *
 * <p>A checkpoint runs on a thread of its own while this loop goes on applying: a volume's force
 * after random writes is slow, the more so under an ASYNC load, and in the loop it held up every
 * batch behind it (SYNC writes waited, an ASYNC backlog piled up in the broker and was paged to
 * disk). So each batch is acknowledged to the broker on its own (Artemis's individual
 * acknowledgement), once a checkpoint that began after it was applied has completed; a transacted
 * session's commit would also consume the batches applied during the force.
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
  // While a checkpoint runs, how often the loop looks whether it is done when no batch arrives.
  static final long CHECKPOINT_POLL_MILLIS = 5;

  private final String self;
  private final ReplicaVolumes volumes;
  private final RemoteCopySettings settings;
  private final StreamApplier applier;
  private final CheckpointPlan plan;
  private final HeldBatches held = new HeldBatches();
  private final PrimaryAcks acks = new PrimaryAcks();
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
  private byte[] receiveBuffer = new byte[0];
  private volatile Checkpoint running;

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
    this.applier = new StreamApplier(volumes);
    this.plan = new CheckpointPlan(settings);
  }

  /** What this unit has applied of the group's stream; null if nothing yet. */
  public CopyGroupStatus.Applied applied(String groupId) {
    return applier.applied(groupId);
  }

  @Override
  protected void open(Connection connection) throws JMSException {
    session = connection.createSession(false, ArtemisSessions.INDIVIDUAL_ACKNOWLEDGE);
    consumer =
        DurableSubscriptions.subscribe(session, Queues.subscription(Queues.writeData(), self));
    acks.open(connection);
    plan.restartClock(System.nanoTime());
    lane = new SyncLane(connection, self, () -> running != null, this::laneRound);
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
                || plan.bytes() >= settings.checkpointBytes()
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
      if (held.overdue()) {
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
    if (running == null && plan.due(System.nanoTime())) {
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
      return plan.bytes();
    } finally {
      lock.unlock();
    }
  }

  /** A round of the SYNC lane's thread (see {@link SyncLane}). */
  private void laneRound(Message m) throws JMSException {
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

  /** Whether {@code m} came through the SYNC lane (sent to its address, whichever way it came). */
  private static boolean fromLane(Message m) throws JMSException {
    Destination d = m.getJMSDestination();
    String address =
        d instanceof Topic t ? t.getTopicName() : d instanceof Queue q ? q.getQueueName() : null;
    return Queues.syncWriteData().equals(address);
  }

  /** At most 100 ms, so that a stop is noticed whatever the checkpoint interval. */
  private long receiveWaitMillis() {
    return running != null ? CHECKPOINT_POLL_MILLIS : plan.waitMillis(System.nanoTime());
  }

  @Override
  protected void finish() throws JMSException {
    lane.stopAndWait();
    completeCheckpoint(true);
    if (plan.hasWork()) {
      plan.answered(); // the whole checkpoint, not the one of markers alone
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
        applier.durable(c);
      } else {
        takeUp(c);
      }
    }
    held.clear();
    plan.forgetSettled();
    applier.forgetAcknowledgements();
    session = null;
  }

  private void receive(Message message, boolean fromLane) throws JMSException {
    boolean markersBefore = plan.markersOnly();
    plan.markersOnly(false); // until this one is known to be a batch of markers, taken
    if (!(message instanceof BytesMessage bytes)) {
      LOG.warning("ignoring a message that is no write data batch: " + message);
      plan.settled(message);
      return;
    }
    BatchFormat.Header header;
    List<BatchEntry> entries;
    ByteBuffer body;
    try {
      header = BatchFormat.Header.of(message, self);
      body = BatchFormat.body(bytes, receiveBuffer);
      if (body.hasArray() && body.array().length > receiveBuffer.length) {
        receiveBuffer = body.array(); // grows to the largest batch, then is reused
      }
      entries = BatchFormat.entries(body.duplicate());
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "ignoring a malformed write data batch", e);
      plan.settled(message);
      return;
    }
    int size = body.remaining();
    plan.received(size);
    boolean markers = header.checkpoint() && !StreamApplier.writesData(entries, 0);
    if (applier.offer(header, entries, fromLane, plan)) {
      plan.markersOnly(markersBefore && markers);
      plan.settled(message);
      held.retry(applier, plan);
      if (message.getJMSDeliveryMode() == DeliveryMode.NON_PERSISTENT) {
        // A SYNC batch: its writers wait for this acknowledgement. Sent now, not after the round:
        // the receiveNoWait that ends a round costs a round trip to the broker when nothing is
        // buffered (Artemis forces a delivery), which would sit on every SYNC write's path.
        acknowledge();
      }
    } else {
      held.hold(message, header, body, size, fromLane);
      if (header.resyncing()) {
        applier.toldOutOfDate(header);
      }
    }
  }

  /**
   * Begins making what was applied durable (volumes flushed, sequences saved), off this loop; the
   * broker hears the batches are consumed when it is done ({@link #completeCheckpoint}).
   */
  private void startCheckpoint() throws JMSException {
    long now = System.nanoTime();
    if (plan.onlyMarkersAsked() && held.isEmpty()) {
      // Only markers since the last checkpoint, which has completed: every write before them is
      // durable already, and the markers themselves carry nothing (redelivered after a crash,
      // they are applied again or refused, harmlessly). So they are durable as they are; the
      // periodic checkpoint acknowledges them to the broker later, off the path of whoever waits.
      applier.allDurable();
      acknowledge();
      plan.answered();
      return;
    }
    running = plan.begin(applier.changedStreams(), now);
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
    applier.durable(c);
    acknowledge();
  }

  /** A failed checkpoint's volumes, batches and streams go to the next one. */
  private void takeUp(Checkpoint failed) {
    plan.takeUp(failed);
    applier.takeUp(failed);
  }

  /**
   * A gap that does not close (or write data for a group not defined here): lets go of everything
   * unacknowledged so the broker delivers it again, from the oldest.
   */
  private void redeliverUnacknowledged() throws JMSException {
    LOG.warning(
        "write data of copy group "
            + held.firstGroupId()
            + " waits for a batch that does not come (or for its copy group); asking the"
            + " broker to deliver everything unacknowledged again");
    completeCheckpoint(true);
    acknowledgeDurable(loopDurable);
    session.recover();
    // The lane's session is not recovered: its held batches stay, waiting for their gap again, and
    // what it settled is acknowledged by the next checkpoint.
    held.keepLaneOnly();
    // The others are delivered again, skipped as duplicates, settled again.
    plan.keepSettled(WriteDataReceiveProcess::fromLane);
  }

  /** Tells the primaries how far their streams are applied and durable. */
  private void acknowledge() throws JMSException {
    acks.send(applier.takeAcknowledgements());
  }
}
