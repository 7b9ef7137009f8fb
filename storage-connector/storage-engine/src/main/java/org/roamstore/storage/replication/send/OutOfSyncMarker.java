package org.roamstore.storage.replication.send;

import java.util.concurrent.locks.Condition;
import java.util.logging.Logger;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.replication.RemoteCopySettings;

/**
 * What a secondary of one copy group that falls behind costs its writes, by the group's {@link
 * SyncFailurePolicy}: marked out of sync (its SYNC writes then wait for its out-of-date notice, not
 * for it), or the writes fail. Used under the {@link GroupStream}'s lock, whose notices, FLUSH
 * waits and progress condition it shares.
 */
final class OutOfSyncMarker {
  private static final Logger LOG = Logger.getLogger(OutOfSyncMarker.class.getName());

  private final String groupId;
  private final RemoteCopySettings settings;
  private final Condition progress;
  private final NoticeGate notices;
  private final FlushWaits flushWaits;
  private SyncFailurePolicy policy = SyncFailurePolicy.MARK_OUT_OF_SYNC;

  OutOfSyncMarker(
      String groupId,
      RemoteCopySettings settings,
      Condition progress,
      NoticeGate notices,
      FlushWaits flushWaits) {
    this.groupId = groupId;
    this.settings = settings;
    this.progress = progress;
    this.notices = notices;
    this.flushWaits = flushWaits;
  }

  /** The policy of the group's current epoch. */
  void policy(SyncFailurePolicy policy) {
    this.policy = policy;
  }

  /**
   * Marks a secondary out of sync (see {@link SecondaryLink#goOutOfSync}). Its SYNC writes no
   * longer wait for it, only for its out-of-date notice to be in the broker: they are acknowledged
   * once every notice on its way is there, or once a SYNC timeout has passed without it (the broker
   * is away too): then no copy can be told, and the loss is logged (see {@link NoticeGate}).
   */
  void markOutOfSync(SecondaryLink link, String why) {
    long now = System.nanoTime();
    if (link.streaming()) {
      notices.noticeComing(now);
    }
    if (!link.goOutOfSync(why)) {
      return;
    }
    notices.holdInstead(link.takeWaiters());
    flushWaits.complete();
    progress.signalAll();
  }

  /** A SYNC write waited for {@code link} past its deadline. */
  void timedOut(SecondaryLink link) {
    if (policy == SyncFailurePolicy.FAIL_WRITES) {
      StorageException e =
          new StorageException(
              Reason.TIMEOUT,
              "secondary "
                  + link.storageSystem
                  + " of copy group "
                  + groupId
                  + " did not store the write within "
                  + settings.syncTimeout()
                  + "; the group's policy fails the write (it is in the primary's cache)");
      link.failWaiters(e);
      LOG.warning(e.getMessage());
    } else {
      markOutOfSync(link, "no acknowledgement within " + settings.syncTimeout());
    }
  }

  /** A writer waited {@code backlogWait} for room in {@code link}'s backlog (see Backpressure). */
  void backlogTooLong(SecondaryLink link, boolean sync) {
    String why =
        "more than "
            + settings.maxBacklogBytes()
            + " bytes not yet safe in the broker for "
            + settings.backlogWait();
    if (sync && policy == SyncFailurePolicy.FAIL_WRITES) {
      throw new StorageException(
          Reason.TIMEOUT,
          "remote copy to "
              + link.storageSystem
              + " has "
              + why
              + "; the copy group "
              + groupId
              + " fails writes until it catches up");
    }
    markOutOfSync(link, why);
  }
}
