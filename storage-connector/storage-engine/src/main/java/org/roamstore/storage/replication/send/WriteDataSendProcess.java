package org.roamstore.storage.replication.send;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.Topic;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.replication.DurableSubscriptions;
import org.roamstore.storage.replication.MessagingLoop;
import org.roamstore.storage.replication.RemoteCopySettings;
import org.roamstore.storage.replication.ReplicaVolume;
import org.roamstore.storage.replication.ReplicaVolumes;
import org.roamstore.storage.replication.WriteData;
import org.roamstore.storage.replication.batch.Queues;

/**
 * The write data send process (reference text, 134; Fig. 11) of one control unit: takes the closed
 * batches of every copy group it is primary of and sends them to the write data address, each batch
 * once for all the secondaries it is for (see {@link Delivery}), many messages per broker
 * transaction. Whatever arrived while a commit was running goes out in the next one. Batches whose
 * commit failed are sent again after a reconnect (a secondary ignores what it already has). ASYNC
 * batches are persistent; SYNC batches are not (their writer waits for the secondary, not for the
 * broker's disk) and are retained by their stream until the secondary has them on disk, so after a
 * reconnect, which may follow a broker restart, they are sent again too.
 */
public final class WriteDataSendProcess extends MessagingLoop {
  private static final Logger LOG = Logger.getLogger(WriteDataSendProcess.class.getName());
  private static final int MAX_BATCHES_PER_COMMIT = 64;

  /**
   * Volumes (comma-separated ids) whose ASYNC writes are not paced beside SYNC ones, only to
   * measure the pacing: the remote copy bench runs the SYNC job beside one of each.
   */
  public static final String UNPACED_PROPERTY = "roamstore.remoteCopy.unpacedVolumes";

  private final String self;
  private final long incarnation;
  private final RemoteCopySettings settings;
  private final ReplicaVolumes volumes;
  private final Map<String, GroupStream> groups = new ConcurrentHashMap<>();
  private final SyncLaneSender lane;
  private final SendRounds rounds = new SendRounds(groups);
  private final SyncFirstPacer pacer = new SyncFirstPacer();
  private final Set<String> unpaced =
      java.util.Arrays.stream(System.getProperty(UNPACED_PROPERTY, "").split(","))
          .filter(v -> !v.isBlank())
          .collect(java.util.stream.Collectors.toUnmodifiableSet());

  private Session session;
  private MessageProducer producer;
  // SYNC batches: not persistent and not transacted, so sending them costs no round trip.
  private Session retainedSession;
  private MessageProducer retainedProducer;
  private final DurableSubscriptions subscriptions;
  private Topic writeData;

  public WriteDataSendProcess(
      ConnectionFactory factory,
      ReplicaVolumes volumes,
      long incarnation,
      RemoteCopySettings settings) {
    super(factory, "write data send process of " + volumes.storageSystem());
    this.self = volumes.storageSystem();
    this.incarnation = incarnation;
    this.settings = settings;
    this.volumes = volumes;
    this.lane = new SyncLaneSender(factory, volumes.storageSystem(), groups, rounds::wake);
    this.subscriptions = new DurableSubscriptions(factory, Queues.writeData());
  }

  /** Takes up the resyncs that were going on when this unit stopped. */
  public void resume() {
    for (ReplicaVolume volume : volumes.all()) {
      CopyVolumeGroupInfo group = volume.group();
      if (group != null
          && group.primaryIs(volume.address())
          && java.nio.file.Files.exists(mapFile(group.groupId()))) {
        stream(group);
      }
    }
  }

  /**
   * Queues a write for the group's secondaries. An ASYNC write first waits for its share while this
   * unit's SYNC writes are slowed by ASYNC ones (see SyncFirstPacer); a SYNC write's round trip
   * tells the pacer how they fare.
   */
  public CompletableFuture<Void> send(WriteData write) {
    GroupStream g = stream(write.group().groupId());
    boolean sync = write.group().transferType() == TransferType.SYNC;
    if (!sync) {
      if (!unpaced.contains(write.volumeId())) {
        pacer.admitAsync(write.length());
      }
      return g.append(write);
    }
    long queued = System.nanoTime();
    CompletableFuture<Void> done = g.append(write);
    if (!done.isDone()) {
      done.thenRun(() -> pacer.syncDone(System.nanoTime() - queued));
    }
    return done;
  }

  public CompletableFuture<Void> flush(CopyVolumeGroupInfo group) {
    GroupStream stream = groups.get(group.groupId());
    return stream == null ? CompletableFuture.completedFuture(null) : stream.flush();
  }

  /** The group's stream, if this unit has sent anything for it since it started. */
  public GroupStream existing(String groupId) {
    return groups.get(groupId);
  }

  /**
   * The group's stream, knowing the group as {@code group} has it (epoch, transfer type,
   * secondaries): what every call about the group's present needs first.
   */
  public GroupStream stream(CopyVolumeGroupInfo group) {
    GroupStream stream = stream(group.groupId());
    stream.define(group);
    return stream;
  }

  /**
   * The group's stream as this unit last knew the group, for what concerns the past (what a demoted
   * primary hands over, what the out-of-sync map on disk holds).
   */
  public GroupStream stream(String groupId) {
    return groups.computeIfAbsent(
        groupId,
        id ->
            new GroupStream(
                id, incarnation, settings, loadMap(id), loadVerifyRecords(id), () -> wake(id)));
  }

  private VerifyRecords loadVerifyRecords(String groupId) {
    Path file = volumes.stateDirectory().resolve(groupId + ".verify");
    try {
      return VerifyRecords.load(file);
    } catch (IOException | RuntimeException e) {
      // Only the history of verifies is lost: say so, and start a new history.
      LOG.log(Level.WARNING, "cannot read the verify records " + file + "; starting anew", e);
      return new VerifyRecords(file);
    }
  }

  private OutOfSyncMap loadMap(String groupId) {
    try {
      return OutOfSyncMap.load(mapFile(groupId));
    } catch (IOException e) {
      throw new StorageException(
          Reason.IO_ERROR, "cannot read the out-of-sync regions of " + groupId + ": " + e, e);
    }
  }

  private Path mapFile(String groupId) {
    return volumes.stateDirectory().resolve(groupId + ".resync");
  }

  void acknowledged(org.roamstore.storage.replication.batch.BatchFormat.Ack ack) {
    GroupStream stream = groups.get(ack.groupId());
    if (stream != null) {
      stream.acknowledged(ack);
    }
  }

  /** The sender of the SYNC lane, a loop of its own that the caller runs beside this one. */
  public SyncLaneSender syncLane() {
    return lane;
  }

  /**
   * A batch of the group may be ready: wakes the loop that sends it, the SYNC lane for a SYNC group
   * (which passes a stream's first batches on to this loop), this loop for the others. Waking both
   * for every SYNC write cost a thread wake-up per write and a round of deadline checks here.
   */
  private void wake(String groupId) {
    GroupStream g = groups.get(groupId);
    if (g == null || g.usesLane()) {
      lane.wake();
    }
    if (g == null || !g.usesLane()) {
      rounds.wake();
    }
  }

  @Override
  protected void open(Connection connection) throws JMSException {
    session = connection.createSession(true, Session.SESSION_TRANSACTED);
    producer = session.createProducer(null);
    producer.setDeliveryMode(DeliveryMode.PERSISTENT);
    retainedSession = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
    retainedProducer = retainedSession.createProducer(null);
    retainedProducer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
    writeData = session.createTopic(Queues.writeData());
    subscriptions.forget();
  }

  @Override
  protected void step() throws JMSException {
    List<Shipment> batches = new ArrayList<>();
    rounds.beginRound();
    boolean forLane = false;
    for (GroupStream g : groups.values()) {
      forLane |= g.takeReady(batches, MAX_BATCHES_PER_COMMIT, false);
    }
    if (forLane) {
      lane.wake();
    }
    if (!batches.isEmpty()) {
      shipSyncFirst(batches);
    }
    // Every round: besides deadlines, a resync refills its window as soon as the broker took the
    // previous regions, so its pace is the broker's and not a timer's.
    for (GroupStream g : groups.values()) {
      ReplicaVolume primary = primaryVolume(g.groupId());
      g.tick(primary);
      g.verifyStep(primary);
    }
    if (batches.isEmpty()) {
      rounds.awaitWork(stopping());
    }
  }

  /**
   * SYNC batches (not persistent) go first and outside any transaction: nothing waits for the
   * broker's answer, let alone for the disk force of the journal that the ASYNC batches' commit
   * costs. The primary retains them until the secondary has them on disk, and sends them again
   * after a reconnect, so the broker's confirmation would add nothing. Only the first of a SYNC
   * stream come this way, to the write data queue (see Queues); the others take the SYNC lane. Not
   * when that queue gets both in one round (a group that changed its transfer type): its batches
   * must reach it in stream order, so they share one transaction.
   */
  private void shipSyncFirst(List<Shipment> batches) throws JMSException {
    List<Delivery> retained = new ArrayList<>();
    List<Delivery> persistent = new ArrayList<>();
    Set<String> retainedSites = new HashSet<>();
    List<Delivery> all = Delivery.of(batches);
    for (Delivery d : all) {
      if (d.persistent()) {
        persistent.add(d);
      } else {
        retained.add(d);
        retainedSites.addAll(d.sites());
      }
    }
    boolean mixed = false;
    for (Delivery d : persistent) {
      mixed |= d.sites().stream().anyMatch(retainedSites::contains);
    }
    if (mixed) {
      ship(batches, all);
      return;
    }
    if (!retained.isEmpty()) {
      shipRetained(shipmentsOf(retained), retained);
    }
    if (!persistent.isEmpty()) {
      ship(shipmentsOf(persistent), persistent);
    }
  }

  private static List<Shipment> shipmentsOf(List<Delivery> deliveries) {
    List<Shipment> all = new ArrayList<>();
    deliveries.forEach(d -> all.addAll(d.shipments()));
    return all;
  }

  private void shipRetained(List<Shipment> batches, List<Delivery> deliveries) throws JMSException {
    rounds.sending(batches);
    for (Delivery d : deliveries) {
      subscriptions.ensure(d.sites());
      retainedProducer.send(writeData, d.message(retainedSession, self));
    }
    rounds.sent(batches);
  }

  private void ship(List<Shipment> batches, List<Delivery> deliveries) throws JMSException {
    rounds.sending(batches);
    for (Delivery d : deliveries) {
      subscriptions.ensure(d.sites());
      producer.send(
          writeData,
          d.message(session, self),
          d.persistent() ? DeliveryMode.PERSISTENT : DeliveryMode.NON_PERSISTENT,
          Message.DEFAULT_PRIORITY,
          Message.DEFAULT_TIME_TO_LIVE);
    }
    session.commit();
    rounds.sent(batches);
  }

  /** The volume of the group this unit holds. */
  public java.util.Optional<ReplicaVolume> volumeOf(CopyVolumeGroupInfo group) {
    return volumes.byGroup(group.groupId());
  }

  private ReplicaVolume primaryVolume(String groupId) {
    return volumes
        .byGroup(groupId)
        .filter(v -> v.group() != null && v.group().primaryIs(v.address()))
        .orElse(null);
  }

  @Override
  protected void lost() {
    session = null;
    producer = null;
    retainedSession = null;
    retainedProducer = null;
    rounds.lost();
    // Deadlines (SYNC timeouts, flushes) must still be noticed while the broker is away.
    for (GroupStream g : groups.values()) {
      try {
        g.tick(primaryVolume(g.groupId()));
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "tick while disconnected", e);
      }
    }
  }

  @Override
  protected boolean hasPendingWork() {
    for (GroupStream g : groups.values()) {
      if (g.hasUnshipped()) {
        return true;
      }
    }
    return false;
  }
}
