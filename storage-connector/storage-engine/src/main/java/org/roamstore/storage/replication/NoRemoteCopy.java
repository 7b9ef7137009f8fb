package org.roamstore.storage.replication;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import org.roamstore.storage.api.CopyVolumeGroupInfo;

/**
 * The sender for a control unit without remote copy: every write is complete once it is in the
 * local cache. Correct for single-member groups; for groups with secondaries it says once per group
 * that they are not being updated, rather than failing every write.
 */
public final class NoRemoteCopy implements WriteDataSender {
  private static final Logger LOG = Logger.getLogger(NoRemoteCopy.class.getName());
  private static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);

  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  @Override
  public CompletionStage<Void> send(WriteData write) {
    CopyVolumeGroupInfo group = write.group();
    if (group.members().size() > 1 && warned.add(group.groupId())) {
      LOG.warning(
          "copy group "
              + group.groupId()
              + " has secondaries but remote copy is not implemented yet; they are not updated");
    }
    return DONE;
  }

  @Override
  public void drain(CopyVolumeGroupInfo group) {
    // nothing is ever queued
  }
}
