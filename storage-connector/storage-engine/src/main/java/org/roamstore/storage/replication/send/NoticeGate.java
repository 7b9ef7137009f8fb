package org.roamstore.storage.replication.send;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * SYNC writes of one copy group held until every secondary marked out of sync has been told so:
 * until the broker has each out-of-date notice on its way (see {@link SecondaryLink#goOutOfSync}),
 * no SYNC write is acknowledged, so no secondary looks whole while it lacks an acknowledged write.
 * If the broker does not take a notice within a SYNC timeout (it is away too), the writes go on and
 * the possible loss is logged. Used under the {@link GroupStream}'s lock, whose secondaries it
 * shares.
 */
final class NoticeGate {
  private static final Logger LOG = Logger.getLogger(NoticeGate.class.getName());

  private final String groupId;
  private final Duration syncTimeout;
  private final Map<String, SecondaryLink> links;
  private final List<SyncWrite> held = new ArrayList<>();
  private long deadlineNanos;

  NoticeGate(String groupId, Duration syncTimeout, Map<String, SecondaryLink> links) {
    this.groupId = groupId;
    this.syncTimeout = syncTimeout;
    this.links = links;
  }

  /** Whether a notice is on its way: SYNC writes wait for it. */
  boolean closed() {
    for (SecondaryLink link : links.values()) {
      if (link.noticeOnItsWay()) {
        return true;
      }
    }
    return false;
  }

  /** A notice is about to be queued; the first one starts the clock. */
  void noticeComing(long now) {
    if (!closed()) {
      deadlineNanos = now + syncTimeout.toNanos();
    }
  }

  /** {@code write} waits for the notices on their way, as one more secondary it waits for. */
  void hold(SyncWrite write) {
    write.waitFor();
    held.add(write);
  }

  /** Writes that waited for a secondary now marked out of sync wait for its notice instead. */
  void holdInstead(Collection<SyncWrite> writes) {
    held.addAll(writes);
  }

  /** Lets the held writes go once no notice is on its way. */
  void openIfTold() {
    if (closed()) {
      return;
    }
    for (SyncWrite w : held) {
      w.arrived();
    }
    held.clear();
  }

  /**
   * Past the deadline with notices still on their way: the writes and FLUSHes go on (the group's
   * policy), but a secondary that never hears it looks whole while it lacks them.
   */
  void checkDeadline(long now) {
    if (now - deadlineNanos <= 0 || !closed()) {
      return;
    }
    List<String> untold = new ArrayList<>();
    for (SecondaryLink link : links.values()) {
      if (link.noticeOnItsWay()) {
        untold.add(link.storageSystem);
        link.forgetNotice();
      }
    }
    LOG.severe(
        "copy group "
            + groupId
            + ": the broker did not take the notice that "
            + untold
            + " are out of date within "
            + syncTimeout
            + "; SYNC writes go on without them, and should this primary be lost before they hear"
            + " it, a takeover by one of them may lose acknowledged writes");
    openIfTold();
  }
}
