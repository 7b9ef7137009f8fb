package org.roamstore.directory.provisioning;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.switching.SwitchService;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;

/**
 * Adds a member to, or drops one from, a copy group in use, at the same epoch: the primary keeps
 * its exports and its users' sessions. The order is the engine's rule. Adding: the new real volume,
 * then the new member list at the new member, the other secondaries, and the primary last (once it
 * sends to the new member, every member knows the group; it then copies every written region to
 * it). Dropping: the primary first (it stops sending), then the other secondaries, then the dropped
 * member's real volume. Storage is not transactional: a step that fails puts back what changed.
 */
final class CopyChanges {
  private static final Logger LOG = Logger.getLogger(CopyChanges.class.getName());

  private final VolumeProvisioner provisioner;
  private final SwitchService switches;

  CopyChanges(VolumeProvisioner provisioner, SwitchService switches) {
    this.provisioner = provisioner;
    this.switches = switches;
  }

  /**
   * Makes {@code member} a member of {@code after} (which is {@code before} plus it); or nothing.
   */
  void add(CopyVolumeGroupInfo before, CopyVolumeGroupInfo after, String member, long sizeBytes) {
    CopyGroupMember added = memberAt(after, member);
    String primary = after.primary().address().storageSystem();
    List<String> order = new ArrayList<>();
    order.add(member);
    after.secondaries().stream()
        .map(m -> m.address().storageSystem())
        .filter(s -> !s.equals(member))
        .forEach(order::add);
    order.add(primary);
    try {
      provisioner.createVolume(added, sizeBytes);
    } catch (RuntimeException e) {
      throw failed("create the real volume", member, e, "nothing had been made", Map.of());
    }
    Stopped stopped = defineInOrder(after, order);
    if (stopped != null) {
      // The others go back to the old list; the new member's volume goes, with its group.
      Map<String, String> notUndone = putBack(before, stopped.defined(), member);
      notUndone.putAll(provisioner.remove(List.of(added)));
      throw failed(
          "define the copy group with the new member",
          stopped,
          "put back the old member list and removed the new real volume",
          notUndone);
    }
  }

  /**
   * Takes {@code member} out of the group ({@code after} is {@code before} without it) and deletes
   * its real volume; or nothing. Returns the sites where the real volume could not be deleted (it
   * is out of the group already, and left for an operator), with why.
   */
  Map<String, String> drop(CopyVolumeGroupInfo before, CopyVolumeGroupInfo after, String member) {
    CopyGroupMember dropped = memberAt(before, member);
    List<String> order = new ArrayList<>();
    order.add(after.primary().address().storageSystem());
    after.secondaries().forEach(m -> order.add(m.address().storageSystem()));
    Stopped stopped = defineInOrder(after, order);
    if (stopped != null) {
      throw failed(
          "define the copy group without " + member,
          stopped,
          stopped.defined().isEmpty() ? "nothing had been changed" : "put back the old member list",
          putBack(before, stopped.defined(), null));
    }
    Map<String, String> left = provisioner.remove(List.of(dropped));
    if (!left.isEmpty()) {
      LOG.warning("dropped copy of " + before.groupId() + " left behind at " + left);
    }
    return left;
  }

  /** Where defining stopped: the member that failed, why, and the members defined before it. */
  private record Stopped(String at, RuntimeException failure, List<String> defined) {}

  /** Defines the group at each member in turn; null if all took it, else where it stopped. */
  private Stopped defineInOrder(CopyVolumeGroupInfo group, List<String> order) {
    List<String> defined = new ArrayList<>();
    for (String system : order) {
      try {
        switches.defineNewGroup(group, system);
        defined.add(system);
      } catch (RuntimeException e) {
        return new Stopped(system, e, defined);
      }
    }
    return null;
  }

  /**
   * Defines the old list again where the new one was defined, newest change first, so the primary
   * (if it changed) goes back last; skips {@code except}. Returns where that failed.
   */
  private Map<String, String> putBack(
      CopyVolumeGroupInfo before, List<String> defined, String except) {
    Map<String, String> failures = new LinkedHashMap<>();
    List<String> reversed = new ArrayList<>(defined);
    java.util.Collections.reverse(reversed);
    for (String system : reversed) {
      if (system.equals(except)) {
        continue;
      }
      try {
        switches.defineNewGroup(before, system);
      } catch (RuntimeException e) {
        failures.put(system, String.valueOf(e.getMessage()));
      }
    }
    return failures;
  }

  private static CopyGroupMember memberAt(CopyVolumeGroupInfo group, String system) {
    return group.members().stream()
        .filter(m -> m.address().storageSystem().equals(system))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(system + " is not in " + group));
  }

  private static DirectoryException failed(
      String step, Stopped stopped, String undone, Map<String, String> notUndone) {
    return failed(step, stopped.at(), stopped.failure(), undone, notUndone);
  }

  private static DirectoryException failed(
      String step, String at, RuntimeException e, String undone, Map<String, String> notUndone) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("failedAt", at);
    details.put("step", step);
    if (!notUndone.isEmpty()) {
      details.put("notUndone", String.join(",", notUndone.keySet()));
    }
    return new DirectoryException(
        ErrorCode.PROVISIONING_FAILED,
        "could not "
            + step
            + " at "
            + at
            + ": "
            + e.getMessage()
            + "; "
            + undone
            + (notUndone.isEmpty() ? "" : ", except at " + notUndone),
        details);
  }
}
