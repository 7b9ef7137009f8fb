package org.roamstore.directory.switching;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.StorageConnection;

/**
 * Puts the old layout back at the members a switch changed. Storage control units take no part in
 * JTA, so this is how a switch that failed part way, or that the directory could not commit, is
 * taken back: in the reverse order ({@link SwitchPlan#undoOrder}), under the next epoch ({@link
 * SwitchPlan#undoEpoch}), and with the old primary's active exports registered again at that epoch
 * so its users keep working.
 */
final class SwitchUndo {
  private static final Logger LOG = Logger.getLogger(SwitchUndo.class.getName());

  private final StorageSites sites;

  SwitchUndo(StorageSites sites) {
    this.sites = sites;
  }

  /**
   * Undoes a switch to {@code switchedEpoch} at the members in {@code changed} (in the order they
   * learned it). A member that cannot be put back is logged and named in the outcome; the others
   * are still put back.
   */
  UndoOutcome undo(SwitchRequest request, List<String> changed, long switchedEpoch) {
    long epoch = SwitchPlan.undoEpoch(switchedEpoch);
    List<String> restored = new ArrayList<>();
    Map<String, String> failures = new LinkedHashMap<>();
    if (changed.isEmpty()) {
      return new UndoOutcome(epoch, restored, failures);
    }
    CopyVolumeGroupInfo back = request.current().withPrimary(request.oldPrimary(), epoch);
    // The new primary is demoted first and hands back what its secondaries miss by then.
    OutOfSyncRegions missed = OutOfSyncRegions.NONE;
    for (String system : SwitchPlan.undoOrder(changed)) {
      try (StorageConnection storage = sites.connect(system)) {
        OutOfSyncRegions handedOver =
            storage.defineCopyGroup(
                back, system.equals(request.oldPrimary()) ? missed : OutOfSyncRegions.NONE);
        if (system.equals(request.newPrimary())) {
          missed = handedOver;
        }
        if (system.equals(request.oldPrimary())) {
          registerExportsAgain(storage, request, back, epoch);
        }
        restored.add(system);
      } catch (RuntimeException e) {
        failures.put(system, String.valueOf(e.getMessage()));
        LOG.log(
            Level.SEVERE,
            "could not restore copy group "
                + back.groupId()
                + " at "
                + system
                + " after a failed"
                + " switch; an operator must check it",
            e);
      }
    }
    return new UndoOutcome(epoch, restored, failures);
  }

  private static void registerExportsAgain(
      StorageConnection storage, SwitchRequest request, CopyVolumeGroupInfo back, long epoch) {
    String volumeId = back.primary().address().volumeId();
    Instant now = Instant.now();
    for (Map.Entry<String, Instant> export : request.exportsAtOldPrimary().entrySet()) {
      if (export.getValue().isAfter(now)) { // one that ended meanwhile stays gone
        storage.registerExport(export.getKey(), volumeId, epoch, export.getValue());
      }
    }
  }
}
