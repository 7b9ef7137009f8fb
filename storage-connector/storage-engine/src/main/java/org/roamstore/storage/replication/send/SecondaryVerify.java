package org.roamstore.storage.replication.send;

import java.io.IOException;
import java.util.BitSet;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.storage.api.CopyGroupStatus.State;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.api.VerifyStatus;
import org.roamstore.storage.api.VerifyStatus.Outcome;
import org.roamstore.storage.replication.batch.BatchFormat;
import org.roamstore.storage.replication.batch.RegionDigest;

/**
 * The online verify of one secondary at its primary: the verify running for it, the digests its
 * acknowledgements bring, the result recorded. The steps over the volume are {@link
 * PrimaryVerify}'s; a repair's resync is its {@link SecondaryLink}'s. Called with the group's lock
 * held.
 */
final class SecondaryVerify {
  private static final Logger LOG = Logger.getLogger(SecondaryVerify.class.getName());

  private final SecondaryLink link;
  private final SecondaryLink.Group group;

  // The online verify running for it; null if none.
  private Verification verification;

  SecondaryVerify(SecondaryLink link, SecondaryLink.Group group) {
    this.link = link;
    this.group = group;
  }

  /**
   * Refuses, changing nothing, a verify of it while not in sync: what it lacks is known already.
   */
  void checkVerifiable() {
    if (link.state() != State.IN_SYNC) {
      throw new StorageException(
          Reason.INVALID_ARGUMENT,
          link.storageSystem
              + " is "
              + link.state()
              + " in copy group "
              + group.groupId()
              + ": it needs its resync, not a verify; verify it once it is in sync");
    }
  }

  /** Starts a verify of it, unless one runs already. */
  void start(long volumeBytes, long bytesPerSecond, boolean repair) {
    if (verification != null) {
      return;
    }
    verification = new Verification(volumeBytes, bytesPerSecond, repair);
    LOG.info(
        () ->
            "copy group "
                + group.groupId()
                + ": verifying "
                + link.storageSystem
                + " ("
                + volumeBytes
                + " bytes at up to "
                + (bytesPerSecond >> 20)
                + " MiB/s"
                + (repair ? ", repairing differences" : "")
                + ")");
  }

  /** The verify running for it, taking the stream; null if none. */
  Verification running() {
    return link.streaming() ? verification : null;
  }

  /** Puts a verify entry for {@code region} into its stream (with the volume at a stream point). */
  void ask(Verification asking, int region, long offset, int length) {
    asking.asked(region, link.out().verifyEntry(offset, length));
  }

  /** An acknowledgement of its current stream: its digests, if a verify runs. */
  void acknowledged(BatchFormat.Ack ack) {
    if (verification == null) {
      return;
    }
    Verification v = verification;
    for (RegionDigest r : ack.digests()) {
      v.secondaryDigest(r.offset(), r.digest());
    }
    v.answeredUpTo(ack.applied());
    finishIfDone();
  }

  /** The primary's digest of a region its verify asked. */
  void primaryDigest(long offset, byte[] digest) {
    verification.primaryDigest(offset, digest);
    finishIfDone();
  }

  private void finishIfDone() {
    Verification v = verification;
    if (v == null || !v.done()) {
      return;
    }
    verification = null;
    BitSet differing = v.differing();
    VerifyStatus result =
        v.status(differing.isEmpty() ? Outcome.NO_DIFFERENCE : Outcome.DIFFERENCES, null);
    record(result, v.repair ? new BitSet() : differing);
    String summary =
        "copy group "
            + group.groupId()
            + ": verify of "
            + link.storageSystem
            + " compared "
            + result.bytesVerified()
            + " bytes at "
            + String.format("%.1f", v.mibPerSecond())
            + " MiB/s: ";
    if (differing.isEmpty()) {
      LOG.info(summary + "no difference");
      return;
    }
    LOG.warning(
        summary
            + differing.cardinality()
            + " region(s) differ from the primary, first at offsets "
            + result.differingOffsets()
            + (v.repair ? "; resynchronising them from the primary" : "; not repaired"));
    if (v.repair && link.streaming()) {
      link.resyncDiffering(v, differing);
    }
  }

  void interrupt(String why) {
    Verification v = verification;
    if (v == null) {
      return;
    }
    verification = null;
    record(v.status(Outcome.INTERRUPTED, why), new BitSet());
    LOG.warning(
        "copy group " + group.groupId() + ": verify of " + link.storageSystem + " stopped: " + why);
  }

  private void record(VerifyStatus result, BitSet unrepaired) {
    try {
      group.verifyRecords().finished(link.storageSystem, result, unrepaired);
    } catch (IOException e) {
      LOG.log(Level.SEVERE, "cannot save the verify of copy group " + group.groupId(), e);
    }
  }

  /** The verify running, or the last one recorded. */
  VerifyStatus status() {
    return verification != null
        ? verification.status(Outcome.RUNNING, null)
        : group.verifyRecords().last(link.storageSystem);
  }
}
