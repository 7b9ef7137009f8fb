package org.roamstore.storage.replication;

import java.time.Duration;

/**
 * The knobs of remote copy.
 *
 * @param syncTimeout how long a SYNC write waits for a secondary before its group's {@link
 *     org.roamstore.storage.api.SyncFailurePolicy} applies; also how long a secondary may stay
 *     silent while it owes acknowledgements during a resync, and how long a FLUSH waits for the
 *     broker before the secondaries concerned are marked out of sync
 * @param drainTimeout how long the synchronize cache before a change of primary may take
 * @param maxBatchBytes a batch is closed when the next write would take its payload past this size
 * @param maxBacklogBytes write data per secondary not yet safe in the broker (for SYNC: not yet
 *     durable at the secondary); beyond it (broker or secondary too slow) writers wait, up to
 *     {@code backlogWait}
 * @param backlogWait how long a writer waits for a secondary's backlog to fall under {@code
 *     maxBacklogBytes} (back-pressure) before that secondary is marked out of sync, so that the
 *     primary stays writable when the broker is down rather than merely slow
 * @param checkpointInterval how often a secondary makes what it applied durable and commits its
 *     consumption of the batches
 * @param checkpointBytes ... or after this many bytes applied, whichever comes first
 * @param resyncBytesPerSecond at most this many bytes per second copied to each secondary being
 *     resynced or getting its first copy (a copy added online), so that the copy leaves the
 *     primary's users their share of disk, CPUs and network; 0 for no limit
 */
public record RemoteCopySettings(
    Duration syncTimeout,
    Duration drainTimeout,
    int maxBatchBytes,
    long maxBacklogBytes,
    Duration checkpointInterval,
    long checkpointBytes,
    Duration backlogWait,
    long resyncBytesPerSecond) {

  /**
   * Artemis stores a message whose encoded size exceeds its journal buffer as a "large message": a
   * file of its own, created, forced to disk and deleted per message, persistent or not. SYNC
   * batches, on the writers' path, stay below that with room for headers and properties. The site
   * broker's buffer is 2 MiB (Artemis's default, 490 KiB, made 448 KiB the limit here before).
   */
  public static final int SYNC_BATCH_BYTES = 1 << 20;

  public static final RemoteCopySettings DEFAULTS =
      new RemoteCopySettings(
          Duration.ofSeconds(5),
          Duration.ofSeconds(60),
          1 << 20,
          64L << 20,
          Duration.ofMillis(100),
          64L << 20,
          Duration.ofSeconds(30),
          0);

  public RemoteCopySettings {
    if (maxBatchBytes < 64 * 1024) {
      throw new IllegalArgumentException("batches must be allowed at least 64 KiB");
    }
    if (resyncBytesPerSecond < 0) {
      throw new IllegalArgumentException("a resync rate is 0 (no limit) or more");
    }
  }

  public RemoteCopySettings withSyncTimeout(Duration timeout) {
    return new RemoteCopySettings(
        timeout,
        drainTimeout,
        maxBatchBytes,
        maxBacklogBytes,
        checkpointInterval,
        checkpointBytes,
        backlogWait,
        resyncBytesPerSecond);
  }

  public RemoteCopySettings withDrainTimeout(Duration timeout) {
    return new RemoteCopySettings(
        syncTimeout,
        timeout,
        maxBatchBytes,
        maxBacklogBytes,
        checkpointInterval,
        checkpointBytes,
        backlogWait,
        resyncBytesPerSecond);
  }

  public RemoteCopySettings withCheckpointInterval(Duration interval) {
    return new RemoteCopySettings(
        syncTimeout,
        drainTimeout,
        maxBatchBytes,
        maxBacklogBytes,
        interval,
        checkpointBytes,
        backlogWait,
        resyncBytesPerSecond);
  }

  /** A smaller or larger bound of each secondary's backlog, and how long writers wait on it. */
  public RemoteCopySettings withBacklog(long bytes, Duration wait) {
    return new RemoteCopySettings(
        syncTimeout,
        drainTimeout,
        maxBatchBytes,
        bytes,
        checkpointInterval,
        checkpointBytes,
        wait,
        resyncBytesPerSecond);
  }

  /** At most {@code bytesPerSecond} copied to each secondary by a resync; 0 for no limit. */
  public RemoteCopySettings withResyncRate(long bytesPerSecond) {
    return new RemoteCopySettings(
        syncTimeout,
        drainTimeout,
        maxBatchBytes,
        maxBacklogBytes,
        checkpointInterval,
        checkpointBytes,
        backlogWait,
        bytesPerSecond);
  }
}
