package org.roamstore.storage.replication;

import jakarta.jms.ConnectionFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.logging.Logger;
import org.roamstore.storage.api.CacheSynchronization;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyGroupStatus.Role;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.api.VerifyRequest;
import org.roamstore.storage.disk.AtomicFile;
import org.roamstore.storage.replication.receive.WriteDataReceiveProcess;
import org.roamstore.storage.replication.send.AckReceiveProcess;
import org.roamstore.storage.replication.send.GroupStream;
import org.roamstore.storage.replication.send.WriteDataSendProcess;

/**
 * Remote copy over a Jakarta Messaging broker: the write data send process of the groups this unit
 * is primary of, the receiver of their acknowledgements, and the write data receive process of the
 * groups it holds secondaries of. Speaks only the Jakarta Messaging API; whoever opens the control
 * unit gives it the connection factory (the resource adapter builds one with Artemis's client).
 */
public final class RemoteCopy implements WriteDataSender {
  private static final Logger LOG = Logger.getLogger(RemoteCopy.class.getName());
  private static final long CLOSE_GRACE_MILLIS = 10_000;

  private final ConnectionFactory factory;
  private final RemoteCopySettings settings;
  private WriteDataSendProcess sender;
  private AckReceiveProcess acks;
  private WriteDataReceiveProcess receiver;

  public RemoteCopy(ConnectionFactory factory, RemoteCopySettings settings) {
    this.factory = Objects.requireNonNull(factory, "connection factory");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  public RemoteCopySettings settings() {
    return settings;
  }

  @Override
  public void start(ReplicaVolumes volumes, Executor executor) {
    long incarnation = nextIncarnation(volumes.stateDirectory());
    sender = new WriteDataSendProcess(factory, volumes, incarnation, settings);
    sender.resume();
    acks = new AckReceiveProcess(factory, volumes.storageSystem(), sender);
    receiver = new WriteDataReceiveProcess(factory, volumes, settings, executor);
    executor.execute(sender);
    executor.execute(sender.syncLane());
    executor.execute(acks);
    executor.execute(receiver);
    LOG.info(
        () ->
            "remote copy of "
                + volumes.storageSystem()
                + " started (incarnation "
                + incarnation
                + ")");
  }

  /** Counts the unit's starts, so each start's streams are new to the secondaries. */
  private static long nextIncarnation(Path directory) {
    Path file = directory.resolve("incarnation");
    try {
      Files.createDirectories(directory);
      long previous =
          Files.exists(file)
              ? Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).strip())
              : 0;
      long next = previous + 1;
      AtomicFile.replace(file, Long.toString(next).getBytes(StandardCharsets.UTF_8));
      return next;
    } catch (IOException | NumberFormatException e) {
      throw new StorageException(
          Reason.IO_ERROR, "cannot count the starts of remote copy in " + file + ": " + e, e);
    }
  }

  private WriteDataSendProcess sender() {
    if (sender == null) {
      throw new StorageException(Reason.CLOSED, "remote copy is not started");
    }
    return sender;
  }

  @Override
  public CompletionStage<Void> send(WriteData write) {
    if (write.group().members().size() < 2) {
      return CompletableFuture.completedStage(null);
    }
    return sender().send(write);
  }

  @Override
  public CompletionStage<Void> flush(CopyVolumeGroupInfo group) {
    return sender().flush(group);
  }

  @Override
  public CompletionStage<Void> durable(CopyVolumeGroupInfo group, Duration timeout) {
    GroupStream stream = sender().existing(group.groupId());
    return stream == null ? CompletableFuture.completedStage(null) : stream.durable(timeout);
  }

  /**
   * Bounded more tightly than an operator's synchronize cache: the directory drains explicitly
   * before a switch, and after a forced takeover this drain cannot succeed (see the control unit's
   * demotion), so waiting longer would only hold up the returning site.
   */
  static final Duration DEMOTION_DRAIN_BOUND = Duration.ofSeconds(5);

  @Override
  public void drain(CopyVolumeGroupInfo group) {
    if (group.members().size() > 1) {
      Duration bound =
          settings.drainTimeout().compareTo(DEMOTION_DRAIN_BOUND) < 0
              ? settings.drainTimeout()
              : DEMOTION_DRAIN_BOUND;
      synchronizeCache(group, Set.of(), bound);
    }
  }

  @Override
  public CacheSynchronization synchronizeCache(
      CopyVolumeGroupInfo group, Set<String> secondaries, Duration timeout) {
    GroupStream stream = sender().stream(group);
    return stream.synchronize(secondaries, timeout);
  }

  @Override
  public OutOfSyncRegions handOver(CopyVolumeGroupInfo group) {
    return sender().stream(group.groupId()).handOver();
  }

  @Override
  public void inherit(CopyVolumeGroupInfo group, OutOfSyncRegions regions) {
    if (regions.isEmpty()) {
      return;
    }
    GroupStream stream = sender().stream(group);
    stream.inherit(regions);
  }

  @Override
  public void joined(CopyVolumeGroupInfo group, OutOfSyncRegions missing) {
    GroupStream stream =
        sender().stream(group); // the new secondaries' links, even with nothing missing
    if (!missing.isEmpty()) {
      stream.joined(missing);
    }
  }

  @Override
  public PendingRegions pending(CopyVolumeGroupInfo group) {
    if (group.members().size() < 2) {
      return PendingRegions.NONE;
    }
    Set<String> secondaries = new java.util.HashSet<>();
    for (CopyGroupMember m : group.secondaries()) {
      secondaries.add(m.address().storageSystem());
    }
    // stream(), not existing(): after a restart the out-of-sync map on disk counts before any
    // write.
    return sender().stream(group.groupId()).pending(secondaries);
  }

  /**
   * How fast a verify reads the primary's volume unless its request says: {@code
   * roamstore.verify.rateMiB} (MiB/s), default 64, a quarter of what this machine's disk writes, so
   * users keep most of it.
   */
  static final long VERIFY_BYTES_PER_SECOND = Long.getLong("roamstore.verify.rateMiB", 64) << 20;

  @Override
  public void verify(CopyVolumeGroupInfo group, VerifyRequest request) {
    GroupStream stream = sender().stream(group);
    long size =
        sender()
            .volumeOf(group)
            .orElseThrow(
                () ->
                    new StorageException(
                        Reason.NO_COPY_GROUP,
                        "this unit holds no volume of group " + group.groupId()))
            .sizeBytes();
    stream.startVerify(request, size, VERIFY_BYTES_PER_SECOND);
  }

  @Override
  public CopyGroupStatus status(ReplicaVolume volume) {
    CopyVolumeGroupInfo group = volume.group();
    if (group == null) {
      throw new StorageException(
          Reason.NO_COPY_GROUP, "volume " + volume.address() + " belongs to no copy group");
    }
    boolean primary = group.primaryIs(volume.address());
    if (primary) {
      GroupStream stream = sender().stream(group);
      return new CopyGroupStatus(
          volume.address(),
          group.groupId(),
          Role.PRIMARY,
          group.epoch(),
          group.transferType(),
          stream.statusOf(),
          null);
    }
    return new CopyGroupStatus(
        volume.address(),
        group.groupId(),
        Role.SECONDARY,
        group.epoch(),
        group.transferType(),
        List.of(),
        receiver.applied(group.groupId()));
  }

  @Override
  public void close() {
    if (sender != null) {
      sender.stop(CLOSE_GRACE_MILLIS);
      sender.syncLane().stop(CLOSE_GRACE_MILLIS);
    }
    if (receiver != null) {
      receiver.stop(CLOSE_GRACE_MILLIS);
    }
    if (acks != null) {
      acks.stop(0);
    }
  }
}
