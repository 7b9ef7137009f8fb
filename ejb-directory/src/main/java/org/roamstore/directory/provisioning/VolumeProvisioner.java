package org.roamstore.directory.provisioning;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.switching.SwitchService;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;

/**
 * Creates and deletes the real volumes of a copy volume group at their storage control units; the
 * group's first definition at each member goes through the {@link SwitchService}, like every other
 * definition. Storage is not transactional, so creation remembers what it made and removes it again
 * if any step fails.
 */
public final class VolumeProvisioner {
  private static final Logger LOG = Logger.getLogger(VolumeProvisioner.class.getName());

  private final StorageSites sites;
  private final SwitchService switches;

  public VolumeProvisioner(StorageSites sites, SwitchService switches) {
    this.sites = sites;
    this.switches = switches;
  }

  /** Every member's real volume, then the group information at every member; or nothing. */
  public void create(CopyVolumeGroupInfo group, long sizeBytes) {
    List<CopyGroupMember> made = new ArrayList<>();
    String step = "create the real volume";
    CopyGroupMember at = null;
    try {
      for (CopyGroupMember member : group.members()) {
        at = member;
        createVolume(member, sizeBytes);
        made.add(member);
      }
      step = "define the copy volume group";
      for (CopyGroupMember member : group.members()) {
        at = member;
        switches.defineNewGroup(group, member.address().storageSystem());
      }
    } catch (RuntimeException e) {
      Map<String, String> leftovers = remove(made);
      String site = at.address().storageSystem();
      Map<String, String> details = new LinkedHashMap<>();
      details.put("failedAt", site);
      details.put("step", step);
      details.put(
          "removed",
          String.join(
              ",",
              made.stream()
                  .map(m -> m.address().storageSystem())
                  .filter(s -> !leftovers.containsKey(s))
                  .toList()));
      if (!leftovers.isEmpty()) {
        details.put("notRemoved", String.join(",", leftovers.keySet()));
      }
      throw new DirectoryException(
          ErrorCode.PROVISIONING_FAILED,
          "could not "
              + step
              + " at "
              + site
              + ": "
              + e.getMessage()
              + (made.isEmpty()
                  ? "; nothing had been made"
                  : "; removed what was made"
                      + (leftovers.isEmpty() ? "" : ", except at " + leftovers.keySet())),
          details);
    }
  }

  /** One member's real volume, empty. */
  void createVolume(CopyGroupMember member, long sizeBytes) {
    try (StorageConnection storage = sites.connect(member.address().storageSystem())) {
      storage.createVolume(member.address().volumeId(), sizeBytes);
    }
  }

  /**
   * Deletes every member's real volume. A member that no longer has it counts as deleted, so a
   * delete that failed part way can simply be repeated. Returns the members where it failed.
   */
  public Map<String, String> delete(CopyVolumeGroupInfo group) {
    return remove(group.members());
  }

  /** Deletes the members' real volumes; returns where it failed (a missing volume is deleted). */
  Map<String, String> remove(List<CopyGroupMember> members) {
    Map<String, String> failures = new LinkedHashMap<>();
    for (CopyGroupMember member : members) {
      String site = member.address().storageSystem();
      try (StorageConnection storage = sites.connect(site)) {
        storage.deleteVolume(member.address().volumeId());
      } catch (StorageException e) {
        if (e.reason() != StorageException.Reason.UNKNOWN_VOLUME) {
          failures.put(site, e.getMessage());
        }
      } catch (RuntimeException e) {
        failures.put(site, String.valueOf(e.getMessage()));
      }
    }
    if (!failures.isEmpty()) {
      LOG.log(Level.WARNING, "real volumes of " + group(members) + " left behind: " + failures);
    }
    return failures;
  }

  private static String group(List<CopyGroupMember> members) {
    return members.isEmpty() ? "?" : members.get(0).address().volumeId();
  }
}
