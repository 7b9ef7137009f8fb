package org.roamstore.storage.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.api.VolumeInfo;
import org.roamstore.storage.copygroup.CopyGroupStore;
import org.roamstore.storage.replication.ReplicaVolume;
import org.roamstore.storage.replication.WriteDataSender;

/**
 * One volume of this unit as a member of its copy group: the group information it holds (epoch,
 * primary, members), its role, the locks that order its writes against a change of group, and its
 * exports. Before the directory defines a group here it is a member of none ({@link Role#NONE}).
 *
 * <p>The role changes in one place only, {@link #define}: the rule "no write checked against an old
 * epoch lands after a switch" is the group lock held there for writing while every read and write
 * holds it for reading from its epoch check ({@link #checkServes}) until its data is in the cache
 * and handed to the sender.
 */
final class CopyGroupReplica implements ReplicaVolume {
  /** What this unit's copy is to its group. */
  enum Role {
    /** Defined in no copy group (yet): serves nothing. */
    NONE,
    /** Serves reads and writes at the group's epoch and ships its writes to the secondaries. */
    PRIMARY,
    /** Takes the primary's write data; serves nothing itself. */
    SECONDARY
  }

  final HostedVolume volume;

  /**
   * Reads and writes hold the read side from their epoch check until their data is in the cache
   * (and handed to the sender); a change of copy group holds the write side. So no write checked
   * against an old epoch lands after the switch.
   */
  private final ReentrantReadWriteLock groupLock = new ReentrantReadWriteLock();

  /** Held from a write's store in the cache until it is handed to the sender (remote copy only). */
  final ReentrantLock writeOrder = new ReentrantLock();

  final AtomicLong writeSequence = new AtomicLong();

  private final PrimaryHandOver handOver;
  private final CopyGroupStore groupStore;
  private final ExportRegistry exports;
  private volatile CopyVolumeGroupInfo group;

  CopyGroupReplica(
      HostedVolume volume,
      WriteDataSender sender,
      CopyGroupStore groupStore,
      ExportRegistry exports) {
    this.volume = volume;
    this.handOver = new PrimaryHandOver(volume, sender);
    this.groupStore = groupStore;
    this.exports = exports;
  }

  String id() {
    return volume.id();
  }

  VolumeInfo info() {
    return new VolumeInfo(volume.address, volume.file.sizeBytes(), Optional.ofNullable(group));
  }

  Role role() {
    return roleIn(group);
  }

  private Role roleIn(CopyVolumeGroupInfo g) {
    if (g == null) {
      return Role.NONE;
    }
    return g.primaryIs(volume.address) ? Role.PRIMARY : Role.SECONDARY;
  }

  /** Whether this copy is the primary of {@code g} (a snapshot of the group) with secondaries. */
  boolean replicatedPrimaryOf(CopyVolumeGroupInfo g) {
    return roleIn(g) == Role.PRIMARY && g.members().size() > 1;
  }

  /** The group as stored at start, before anything runs: no role change, nothing to drain. */
  void loaded(CopyVolumeGroupInfo stored) {
    group = stored;
  }

  /**
   * Runs {@code step} with the group, while no change of group can start, if this unit holds the
   * primary and the caller presents the current epoch: every read and write of a user (control path
   * or NBD) goes through here, so none checked against an old epoch lands after a switch.
   */
  <T> T whileServing(long epoch, Function<CopyVolumeGroupInfo, T> step) {
    Lock lock = groupLock.readLock();
    lock.lock();
    try {
      return step.apply(checkServes(epoch));
    } finally {
      lock.unlock();
    }
  }

  /**
   * The group, if this unit holds its primary at the current epoch: {@code what} (a synchronize
   * cache, a verify) runs only there. {@code step} runs while no change of group can start.
   */
  <T> T whilePrimary(String what, Function<CopyVolumeGroupInfo, T> step) {
    Lock lock = groupLock.readLock();
    lock.lock();
    try {
      return step.apply(heldAsPrimary(what));
    } finally {
      lock.unlock();
    }
  }

  /** What a deletion does to the volume's files; runs while no read or write is admitted. */
  interface Removal {
    void run() throws IOException;
  }

  /** Removes the volume: {@code removal} runs while no read or write is admitted; then forgets. */
  void remove(Removal removal) throws IOException {
    groupLock.writeLock().lock();
    try {
      removal.run();
      CopyVolumeGroupInfo current = group;
      if (current != null) {
        groupStore.delete(current.groupId());
      }
    } finally {
      groupLock.writeLock().unlock();
    }
  }

  private CopyVolumeGroupInfo checkServes(long epoch) {
    CopyVolumeGroupInfo current = memberOfSome();
    if (!current.primaryIs(volume.address)) {
      throw new StorageException(
          Reason.NOT_PRIMARY,
          "volume "
              + volume.address
              + " is not the primary of copy group "
              + current.groupId()
              + " (the primary is "
              + current.primary().address()
              + ")");
    }
    if (epoch != current.epoch()) {
      throw new StorageException(
          Reason.STALE_EPOCH,
          "epoch "
              + epoch
              + " is not the current epoch "
              + current.epoch()
              + " of copy group "
              + current.groupId());
    }
    return current;
  }

  /**
   * The group, refused unless this unit holds its primary: {@code what} runs only there. Called
   * with the group lock held.
   */
  private CopyVolumeGroupInfo heldAsPrimary(String what) {
    CopyVolumeGroupInfo current = memberOfSome();
    if (!current.primaryIs(volume.address)) {
      throw new StorageException(
          Reason.NOT_PRIMARY,
          what
              + " runs at the primary of copy group "
              + current.groupId()
              + ", which is "
              + current.primary().address());
    }
    return current;
  }

  private CopyVolumeGroupInfo memberOfSome() {
    CopyVolumeGroupInfo current = group;
    if (current == null) {
      throw new StorageException(
          Reason.NO_COPY_GROUP, "volume " + volume.address + " belongs to no copy group");
    }
    return current;
  }

  /**
   * The one role change (Fig. 9, last step at each member): stores the group information and does
   * what going from the old role to the new one asks ({@link PrimaryHandOver}). When this copy
   * stops being the primary, the write data already handed to the sender is drained first, while no
   * new write can start, and what its secondaries miss is returned for the new primary; when it
   * becomes the primary, it takes over what the old one handed over ({@code inherited}), unless it
   * misses regions itself. Exports of other epochs stop working before this returns.
   */
  OutOfSyncRegions define(CopyVolumeGroupInfo next, OutOfSyncRegions inherited) {
    Role to = memberIn(next).primary() ? Role.PRIMARY : Role.SECONDARY;
    OutOfSyncRegions handedOver = OutOfSyncRegions.NONE;
    groupLock.writeLock().lock();
    try {
      CopyVolumeGroupInfo current = group;
      checkSuccessor(current, next);
      Role from = roleIn(current);
      // The primary told again at its own epoch what a returning member hands over (see
      // SiteService.bringUp in the directory): every other member resyncs it from here.
      boolean rejoin =
          from == Role.PRIMARY
              && to == Role.PRIMARY
              && current.epoch() == next.epoch()
              && next.members().size() > 1
              && !inherited.isEmpty();
      boolean inheriting = to == Role.PRIMARY && !inherited.isEmpty() && !rejoin;
      if (inheriting) {
        handOver.checkNothingMissedHere(next, inherited);
      }
      if (from == Role.PRIMARY && to == Role.SECONDARY) {
        handedOver = handOver.demote(current, next);
      } else if (to == Role.SECONDARY) {
        handedOver = handOver.stillHotSinceLastPrimary(next);
      }
      store(next);
      if (inheriting) {
        handOver.inherit(next, inherited);
      }
      if (rejoin) {
        handOver.rejoin(next, inherited);
      }
      if (to == Role.PRIMARY && from != Role.PRIMARY) {
        handOver.promote(next);
      }
      if (from == Role.PRIMARY && to == Role.PRIMARY && !rejoin) {
        // At its own epoch: secondaries added (a copy added online) or dropped.
        handOver.addMembers(current, next);
      }
    } finally {
      groupLock.writeLock().unlock();
    }
    // Switches are rare: keep the simple order of forcing while still holding the unit.
    exports.awaitDurable(exports.dropFor(this, next.epoch()));
    return handedOver;
  }

  private CopyGroupMember memberIn(CopyVolumeGroupInfo next) {
    return next.memberAt(volume.address.storageSystem())
        .orElseThrow(
            () ->
                new StorageException(
                    Reason.INVALID_ARGUMENT,
                    "copy group "
                        + next.groupId()
                        + " has no member on storage system "
                        + volume.address.storageSystem()));
  }

  private void checkSuccessor(CopyVolumeGroupInfo current, CopyVolumeGroupInfo next) {
    if (current != null && !current.groupId().equals(next.groupId())) {
      throw new StorageException(
          Reason.INVALID_ARGUMENT,
          "volume " + id() + " belongs to copy group " + current.groupId());
    }
    if (current != null && next.epoch() < current.epoch()) {
      throw new StorageException(
          Reason.STALE_EPOCH,
          "epoch "
              + next.epoch()
              + " is older than the stored epoch "
              + current.epoch()
              + " of copy group "
              + next.groupId());
    }
  }

  private void store(CopyVolumeGroupInfo next) {
    try {
      groupStore.save(next);
    } catch (IOException e) {
      throw new StorageException(
          Reason.IO_ERROR, "cannot store copy group " + next.groupId() + ": " + e, e);
    }
    group = next;
  }

  /** Before any write, read or resync starts: see {@link PrimaryHandOver#recoverHotRegions}. */
  void recoverAfterUncleanStop() {
    CopyVolumeGroupInfo current = group;
    if (replicatedPrimaryOf(current)) {
      handOver.recoverHotRegions(current);
    }
  }

  // ---- remote copy's view (ReplicaVolume) ----

  @Override
  public RealVolumeAddress address() {
    return volume.address;
  }

  @Override
  public CopyVolumeGroupInfo group() {
    return group;
  }

  @Override
  public long sizeBytes() {
    return volume.file.sizeBytes();
  }

  @Override
  public boolean applyAsSecondary(long epoch, Runnable apply) {
    groupLock.readLock().lock();
    try {
      CopyVolumeGroupInfo current = group;
      if (roleIn(current) == Role.PRIMARY && current.epoch() >= epoch) {
        return false;
      }
      apply.run();
      return true;
    } finally {
      groupLock.readLock().unlock();
    }
  }

  @Override
  public void write(long offset, ByteBuffer src) {
    volume.cache.write(offset, src);
  }

  @Override
  public void writeZeroes(long offset, long length) {
    volume.cache.writeZeroes(offset, length);
  }

  @Override
  public void read(long offset, ByteBuffer dst) {
    volume.cache.read(offset, dst);
  }

  @Override
  public void readStored(long offset, ByteBuffer dst) {
    volume.cache.readStored(offset, dst);
  }

  /**
   * Only tries the locks, briefly: the caller is the send process, and a writer holding the write
   * order may be waiting for it (back-pressure), as a change of group holding the group lock may
   * wait for its drain. Blocking there would deadlock both until their timeouts.
   */
  @Override
  public boolean atStreamPoint(Runnable atPoint) {
    try {
      if (!groupLock.readLock().tryLock(STREAM_POINT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
        return false;
      }
      try {
        if (role() != Role.PRIMARY
            || !writeOrder.tryLock(STREAM_POINT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
          return false;
        }
        try {
          atPoint.run();
          return true;
        } finally {
          writeOrder.unlock();
        }
      } finally {
        groupLock.readLock().unlock();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static final long STREAM_POINT_WAIT_MILLIS = 5;

  @Override
  public void flush() {
    volume.cache.flush();
  }
}
