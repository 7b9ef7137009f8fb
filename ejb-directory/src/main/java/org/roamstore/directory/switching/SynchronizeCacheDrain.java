package org.roamstore.directory.switching;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Set;
import org.roamstore.storage.api.CacheSynchronization;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;

/**
 * The drain as a synchronize-cache request to the old primary's storage control unit (Fig. 9 steps
 * 904-905): it returns once every write the old primary accepted is applied, and on disk, at every
 * secondary that is in sync, or fails with a timeout that says how far each got (and the switch
 * stops with nothing changed). A secondary already out of sync is not waited for: what it misses
 * moves to the new primary with the switch. The new primary is the exception: if it is out of sync
 * the drain waits for its resynchronisation, since its copy is about to be the one users see.
 *
 * <p>While it runs, the drain is listed in {@link RunningDrains} with the bytes queued at its
 * start, so the status can show how far it got.
 */
@ApplicationScoped
public class SynchronizeCacheDrain implements AsyncWriteDrain {
  // Inside the login's transaction, so well under its timeout; a longer backlog fails the switch.
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  @Inject private RunningDrains drains;

  public SynchronizeCacheDrain() {}

  SynchronizeCacheDrain(RunningDrains drains) {
    this.drains = drains;
  }

  @Override
  public void drain(StorageConnection oldPrimary, CopyVolumeGroupInfo group, String newPrimary) {
    String volumeId = group.primary().address().volumeId();
    try (RunningDrains.Handle running =
        drains.begin(
            group.groupId(),
            group.primary().address().storageSystem(),
            newPrimary,
            pendingBytes(oldPrimary, volumeId))) {
      CacheSynchronization drained = oldPrimary.synchronizeCache(volumeId, Set.of(), TIMEOUT);
      if (!drained.sequences().containsKey(newPrimary)) {
        oldPrimary.synchronizeCache(volumeId, Set.of(newPrimary), TIMEOUT);
      }
    } catch (StorageException e) {
      if (e.reason() != StorageException.Reason.UNSUPPORTED) {
        throw e;
      }
      // A control unit without remote copy queues nothing for its secondaries.
    }
  }

  /** Write data queued for the secondaries the drain waits for; null when storage does not say. */
  private static Long pendingBytes(StorageConnection oldPrimary, String volumeId) {
    try {
      return oldPrimary.copyGroupStatus(volumeId).secondaries().stream()
          .filter(s -> RunningDrain.waitsFor(s.state().name()))
          .mapToLong(CopyGroupStatus.SecondaryStatus::lagBytes)
          .sum();
    } catch (StorageException | UnsupportedOperationException e) {
      return null;
    }
  }
}
