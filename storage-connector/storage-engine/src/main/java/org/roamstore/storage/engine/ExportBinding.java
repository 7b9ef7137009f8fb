package org.roamstore.storage.engine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.cache.CachedVolume;
import org.roamstore.storage.nbd.NbdExport;
import org.roamstore.storage.replication.PendingRegions;

/**
 * An export name bound to a volume at one epoch: what an NBD client reaches. Every request goes
 * through the read and write request executions with the bound epoch, so the export stops working
 * as soon as the epoch moves on, and at once when it is revoked.
 */
final class ExportBinding implements NbdExport {
  // The export name's digest (ExportRegistry.keyOf): the name itself, an access token, is kept
  // nowhere, in memory or on disk.
  final String key;
  final CopyGroupReplica replica;
  final long epoch;
  // When a new connection may no longer open with this name (ms since 1970), or NEVER.
  final long expiresAtMillis;
  private final WriteRequestExecution writes;
  private volatile boolean revoked;

  static final long NEVER = Long.MAX_VALUE;

  ExportBinding(
      String key,
      CopyGroupReplica replica,
      long epoch,
      long expiresAtMillis,
      WriteRequestExecution writes) {
    this.key = key;
    this.replica = replica;
    this.epoch = epoch;
    this.expiresAtMillis = expiresAtMillis;
    this.writes = writes;
  }

  boolean expiredAt(long nowMillis) {
    return nowMillis >= expiresAtMillis;
  }

  void revoke() {
    revoked = true;
  }

  @Override
  public long sizeBytes() {
    return replica.sizeBytes();
  }

  @Override
  public void checkUsable() {
    checkNotRevoked();
    replica.whileServing(epoch, group -> group);
  }

  @Override
  public void read(long offset, ByteBuffer dst) {
    checkNotRevoked();
    ReadRequestExecution.read(replica, epoch, offset, dst);
  }

  @Override
  public CompletableFuture<Void> write(long offset, ByteBuffer src) {
    checkNotRevoked();
    return writes.write(replica, epoch, offset, src);
  }

  @Override
  public CompletableFuture<Void> writeZeroes(long offset, long length, boolean noHole) {
    checkNotRevoked();
    return writes.writeZeroes(replica, epoch, offset, length, noHole);
  }

  @Override
  public boolean zeroesAreFast() {
    return replica.volume.cache.zeroesPunchHoles();
  }

  @Override
  public List<Extent> allocation(long offset, long length, int maxExtents) {
    checkNotRevoked();
    return replica.whileServing(
        epoch,
        group -> {
          List<Extent> extents = new ArrayList<>();
          for (CachedVolume.Extent e :
              replica.volume.cache.allocation(offset, length, maxExtents)) {
            extents.add(new Extent(e.length(), e.hole()));
          }
          return extents;
        });
  }

  /**
   * Pending where the activity log has the region hot (a write may still be on its way to a
   * secondary in sync) or remote copy knows a secondary misses it (out of sync, resyncing, found
   * different by a verify). The whole range is pending when neither can say: writes here record no
   * activity (only while measuring the log's cost), or a secondary went out of sync with batches it
   * had not applied. The log is read before remote copy: a region cools only after remote copy has
   * marked whatever a secondary that left the stream misses, so no region slips between them.
   */
  @Override
  public List<ReplicationExtent> replication(long offset, long length, int maxExtents) {
    checkNotRevoked();
    HostedVolume volume = replica.volume;
    CopyVolumeGroupInfo group =
        replica.whileServing(
            epoch,
            g -> {
              volume.cache.checkRange(offset, length);
              return g;
            });
    if (group.members().size() < 2) {
      return List.of(new ReplicationExtent(length, false));
    }
    if (!volume.logsActivity) {
      return List.of(new ReplicationExtent(length, true));
    }
    BitSet hot = volume.activity.hot();
    PendingRegions remote = writes.pending(group);
    if (remote.anywhere()) {
      return List.of(new ReplicationExtent(length, true));
    }
    return new PendingRuns(
            List.of(
                new PendingRuns.RegionMap(hot, volume.activity.regionBytes()),
                new PendingRuns.RegionMap(remote.regions(), remote.regionBytes())))
        .runs(offset, length, maxExtents);
  }

  @Override
  public void flush() {
    checkUsable();
    writes.flush(replica);
  }

  private void checkNotRevoked() {
    if (revoked) {
      throw new StorageException(Reason.UNKNOWN_EXPORT, "the export was revoked");
    }
  }
}
