package org.roamstore.directory.switching;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.roamstore.storage.api.CopyVolumeGroupInfo;

/**
 * What to switch.
 *
 * @param current the group as the directory has it, with the current (old) primary
 * @param newPrimary the storage system whose member becomes primary
 * @param down storage systems the directory has marked down; they are not contacted
 * @param force whether unreachable members (the old primary included) may be skipped
 * @param exportsAtOldPrimary export names (with their expiry) to re-register at the old primary if
 *     an undo restores it, so its users keep working after a failed switch
 * @param acceptStale for a forced takeover: the caller named the new primary explicitly and takes
 *     it even if another surviving member has applied more of the old primary's stream
 */
public record SwitchRequest(
    CopyVolumeGroupInfo current,
    String newPrimary,
    Set<String> down,
    boolean force,
    Map<String, Instant> exportsAtOldPrimary,
    boolean acceptStale) {

  public SwitchRequest(
      CopyVolumeGroupInfo current,
      String newPrimary,
      Set<String> down,
      boolean force,
      Map<String, Instant> exportsAtOldPrimary) {
    this(current, newPrimary, down, force, exportsAtOldPrimary, false);
  }

  public SwitchRequest {
    down = Set.copyOf(down);
    exportsAtOldPrimary = Map.copyOf(exportsAtOldPrimary);
    if (current.memberAt(newPrimary).isEmpty()) {
      throw new IllegalArgumentException(newPrimary + " holds no member of " + current.groupId());
    }
    if (current.primary().address().storageSystem().equals(newPrimary)) {
      throw new IllegalArgumentException(newPrimary + " is the primary of " + current.groupId());
    }
  }

  String oldPrimary() {
    return current.primary().address().storageSystem();
  }
}
