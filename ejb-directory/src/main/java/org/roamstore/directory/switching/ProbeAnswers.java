package org.roamstore.directory.switching;

import java.util.Map;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.StorageException;

/**
 * What the members answered when asked before a switch (steps 901-902), and whether that lets the
 * switch go on.
 *
 * @param unreachable members that could not be asked, with why, in the group's order
 * @param epochs the epoch each member that answered holds
 * @param sizes the volume size each member that answered reports
 * @param applied for a forced takeover: what each secondary that could say applied of the old
 *     primary's stream
 * @param refusedAt the first member (in the group's order) that answered with a refusal, or null
 * @param refusal its refusal
 * @param drainFailure why an ASYNC old primary could not drain, or null
 */
record ProbeAnswers(
    Map<String, String> unreachable,
    Map<String, Long> epochs,
    Map<String, Long> sizes,
    Map<String, CopyGroupStatus.Applied> applied,
    String refusedAt,
    StorageException refusal,
    RuntimeException drainFailure) {

  /** Whether the old primary answered: a switch fences it; a forced takeover goes without it. */
  boolean reachedOldPrimary(SwitchRequest request) {
    return !unreachable.containsKey(request.oldPrimary());
  }

  /**
   * Refuses the switch, with nothing changed yet, when a member refused to take part, the new
   * primary cannot be reached, or another member cannot be reached and the switch is not forced.
   */
  void refuseUnlessSwitchable(SwitchRequest request) {
    String volumeGroup = request.current().groupId();
    String oldPrimary = request.oldPrimary();
    if (refusal != null) {
      throw new DirectoryException(
          ErrorCode.SWITCH_FAILED,
          "member "
              + request
                  .current()
                  .memberAt(refusedAt)
                  .map(m -> m.address().toString())
                  .orElse(refusedAt)
              + " cannot take part: "
              + refusal.getMessage(),
          Map.of("failedAt", refusedAt, "undone", "nothing had changed"));
    }
    if (unreachable.containsKey(request.newPrimary())) {
      throw new DirectoryException(
          ErrorCode.SITE_UNAVAILABLE,
          "the new primary "
              + request.newPrimary()
              + " cannot be reached: "
              + unreachable.get(request.newPrimary()),
          Map.of("site", request.newPrimary()));
    }
    if (!request.force() && unreachable.containsKey(oldPrimary)) {
      throw new DirectoryException(
          ErrorCode.OLD_PRIMARY_UNREACHABLE,
          "the current primary "
              + oldPrimary
              + " of "
              + volumeGroup
              + " cannot be reached ("
              + unreachable.get(oldPrimary)
              + "); it stays primary. A forced takeover moves the primary without it and may"
              + " lose writes it has not sent yet",
          Map.of("site", oldPrimary));
    }
    if (!request.force() && !unreachable.isEmpty()) {
      String first = unreachable.keySet().iterator().next();
      throw new DirectoryException(
          ErrorCode.SITE_UNAVAILABLE,
          "member "
              + first
              + " of "
              + volumeGroup
              + " cannot be reached ("
              + unreachable.get(first)
              + "); a switch must reach every member unless it is forced",
          Map.of("site", first));
    }
  }

  /** Refuses the switch, with nothing changed yet, when the ASYNC old primary could not drain. */
  void refuseIfNotDrained(SwitchRequest request) {
    String oldPrimary = request.oldPrimary();
    if (drainFailure != null) {
      throw new DirectoryException(
          ErrorCode.SWITCH_FAILED,
          "the old primary "
              + oldPrimary
              + " could not drain its write data: "
              + drainFailure.getMessage(),
          Map.of("failedAt", oldPrimary, "undone", "nothing had changed"));
    }
  }
}
