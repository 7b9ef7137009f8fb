package org.roamstore.storage.control;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.roamstore.storage.api.CacheSynchronization;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.StorageStatus;
import org.roamstore.storage.api.VerifyRequest;
import org.roamstore.storage.api.VolumeInfo;

/**
 * Every operation of a storage control unit as a value: one record per call of {@link
 * org.roamstore.storage.api.StorageConnection}, holding its arguments, with its result as the type
 * argument. The same command runs in this JVM ({@link CommandConnection}) or crosses the broker
 * ({@link CommandCodec} writes it from its record components, in their order, under the record's
 * name in upper snake case), so an operation is written here once plus one handler line in the
 * unit's dispatch table.
 *
 * <p>A {@code String} or {@code Instant} argument may be null (the unit refuses a null name with
 * its own message; an export without an end has no expiry); any other null argument is refused
 * before the command runs, the same way in both places.
 *
 * @param <R> the result; {@link Void} for calls that return nothing
 */
public sealed interface ControlCommand<R> {

  /**
   * How much longer than an ordinary call the unit may take over this one, on top of the caller's
   * timeout: a demotion drains first, a cache synchronization waits its own timeout.
   *
   * @param drainTimeout how long a unit may drain when a definition demotes it
   */
  default Duration mayTakeExtra(Duration drainTimeout) {
    return Duration.ZERO;
  }

  record CreateVolume(String volumeId, long sizeBytes) implements ControlCommand<VolumeInfo> {}

  record DeleteVolume(String volumeId) implements ControlCommand<Void> {}

  record Volume(String volumeId) implements ControlCommand<Optional<VolumeInfo>> {}

  record Volumes() implements ControlCommand<List<VolumeInfo>> {}

  record DefineCopyGroup(CopyVolumeGroupInfo group, OutOfSyncRegions inherited)
      implements ControlCommand<OutOfSyncRegions> {
    @Override
    public Duration mayTakeExtra(Duration drainTimeout) {
      return drainTimeout;
    }
  }

  record Read(String volumeId, long epoch, long offset, int length)
      implements ControlCommand<byte[]> {}

  record Write(String volumeId, long epoch, long offset, byte[] data, boolean fua)
      implements ControlCommand<Void> {}

  record Flush(String volumeId) implements ControlCommand<Void> {}

  record RegisterExport(String exportName, String volumeId, long epoch, Instant expiresAt)
      implements ControlCommand<Void> {}

  record RevokeExport(String exportName) implements ControlCommand<Void> {}

  record Status() implements ControlCommand<StorageStatus> {}

  /** Travels with its timeout in whole milliseconds. */
  record SynchronizeCache(String volumeId, Set<String> secondaries, Duration timeout)
      implements ControlCommand<CacheSynchronization> {
    @Override
    public Duration mayTakeExtra(Duration drainTimeout) {
      return timeout;
    }
  }

  // The result type is named in full: the record's own name hides the API's.
  record CopyGroupStatus(String volumeId)
      implements ControlCommand<org.roamstore.storage.api.CopyGroupStatus> {}

  record Verify(String volumeId, VerifyRequest request)
      implements ControlCommand<org.roamstore.storage.api.CopyGroupStatus> {}
}
