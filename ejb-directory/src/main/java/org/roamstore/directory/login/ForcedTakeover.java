package org.roamstore.directory.login;

import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.model.RealVolumeInfo;
import org.roamstore.directory.model.VirtualVolume;
import org.roamstore.directory.switching.CompletedSwitch;
import org.roamstore.storage.api.TransferType;

/** What a login that forces a takeover asks for, and what the takeover may have lost. */
final class ForcedTakeover {
  private ForcedTakeover() {}

  /**
   * Whether the caller named the data center the login takes over at ({@code forceAt}): then a copy
   * less current than another surviving one is taken all the same, and recorded as such.
   */
  static boolean acceptsStaleCopy(LoginRequest request, RealVolumeInfo target) {
    String at = request.forceAt();
    if (at == null || at.isBlank()) {
      return false;
    }
    if (!request.forced()) {
      throw new DirectoryException(
          ErrorCode.VALIDATION_FAILED, "forceAt is for a forced takeover: set force too");
    }
    if (!at.equalsIgnoreCase(target.dataCenter().name())) {
      throw new DirectoryException(
          ErrorCode.VALIDATION_FAILED,
          "forceAt "
              + at
              + " is not the data center this login takes over at ("
              + target.dataCenter().name()
              + ", the nearest to the network interface)");
    }
    return true;
  }

  /**
   * A forced takeover cannot drain the old primary: what it accepted that the new primary had not
   * applied may be lost. The new primary says how far it got in the old primary's stream.
   */
  static String possibleLoss(VirtualVolume volume, String previous, CompletedSwitch done) {
    if (done.skipped().isEmpty()) {
      return "nothing: every member was reached";
    }
    String stale = done.moreCurrent().map(m -> "; taken as asked, although " + m).orElse("");
    String lost =
        volume.transferType() == TransferType.SYNC
            ? "nothing acknowledged while the new primary was in sync (SYNC); writes in flight at "
                + previous
                + " when it failed, and any it accepted while the new primary was out of sync,"
                + " may be lost"
            : "writes acknowledged at "
                + previous
                + " and not yet applied at the new primary (ASYNC) may be lost";
    String applied =
        done.appliedAtNewPrimary()
            .map(
                a ->
                    "write "
                        + a.sequence()
                        + " of the stream of epoch "
                        + a.fromEpoch()
                        + " ("
                        + a.durableSequence()
                        + " on disk)")
            .orElse("unknown (the new primary did not report it)");
    return lost + "; last write known applied at the new primary: " + applied + stale;
  }
}
