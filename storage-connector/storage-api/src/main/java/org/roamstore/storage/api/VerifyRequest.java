package org.roamstore.storage.api;

import java.util.Set;

/**
 * An online verify of a copy group, asked at its primary: every region of the primary's volume is
 * compared with the same region of each named secondary at the same point of the write stream,
 * while writes go on.
 *
 * @param secondaries the secondaries to verify; empty: every secondary that is not out of sync
 * @param rateMiBPerSecond how fast to read the primary's volume, so users keep their speed; 0 takes
 *     the storage control unit's default
 * @param repair whether differing regions are resynchronised from the primary once found; if not,
 *     they are listed and the secondary is reported out of sync until a verify repairs them
 */
public record VerifyRequest(Set<String> secondaries, int rateMiBPerSecond, boolean repair) {

  /** The most a verify may read per second: more would only compete with the users' I/O. */
  public static final int MAX_RATE_MIB_PER_SECOND = 4096;

  public VerifyRequest {
    secondaries = Set.copyOf(secondaries);
    secondaries.forEach(s -> Names.require("storage system", s));
    if (rateMiBPerSecond < 0 || rateMiBPerSecond > MAX_RATE_MIB_PER_SECOND) {
      throw new StorageException(
          StorageException.Reason.INVALID_ARGUMENT,
          "a verify's rate is 0 (the default) to "
              + MAX_RATE_MIB_PER_SECOND
              + " MiB/s, got "
              + rateMiBPerSecond);
    }
  }

  /** Every secondary in sync, at the default rate, repairing what differs. */
  public static VerifyRequest all() {
    return new VerifyRequest(Set.of(), 0, true);
  }
}
