package org.roamstore.directory.copygroup;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.roamstore.storage.api.CacheSynchronization;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.NbdTlsMode;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;
import org.roamstore.storage.api.StorageStatus;
import org.roamstore.storage.api.VerifyRequest;
import org.roamstore.storage.api.VerifyStatus;
import org.roamstore.storage.api.VolumeInfo;

/**
 * One storage control unit in memory, with the rules of the real engine that the directory relies
 * on: a definition needs the volume, an older epoch is refused, exports of older epochs die, an
 * export is only registered where the volume is primary at that epoch. Faults are injected per
 * operation.
 */
public final class FakeStorage implements StorageConnection {
  public final String system;
  public final Map<String, Long> sizes = new HashMap<>();
  public final Map<String, CopyVolumeGroupInfo> groups = new HashMap<>();
  public final Map<String, Long> exports = new HashMap<>();
  public final Map<String, Instant> exportsExpireAt = new HashMap<>();
  public final List<String> calls = new ArrayList<>();
  Predicate<String> failing = op -> false;

  /** What this unit's secondaries miss while it is primary; handed over when it is demoted. */
  public OutOfSyncRegions outOfSync = OutOfSyncRegions.NONE;

  /** The secondaries a synchronize cache over every in-sync secondary reaches here. */
  public Set<String> inSync = Set.of();

  /** The secondaries named by each synchronize cache, in order (empty: every in-sync one). */
  public final List<Set<String>> synchronizations = new ArrayList<>();

  /** What this unit reports it applied as a secondary; null: it reports nothing. */
  public volatile CopyGroupStatus.Applied applied;

  /** What this unit took over as it became primary, per volume. */
  public final Map<String, OutOfSyncRegions> inherited = new HashMap<>();

  public boolean unreachable;

  /**
   * Whether this unit has remote copy: then, where it holds the primary, {@link #copyGroupStatus}
   * reports its secondaries (states from {@link #secondaryStates}, in sync unless named there) and
   * {@link #verify} starts verifies, as the engine does.
   */
  public boolean remoteCopy;

  /** The state each secondary is reported in, by storage system; absent: IN_SYNC. */
  public final Map<String, CopyGroupStatus.State> secondaryStates = new HashMap<>();

  /** The last verify of each secondary, by storage system (one volume per test). */
  public final Map<String, VerifyStatus> verifies = new HashMap<>();

  /** Every verify request this unit accepted, in order. */
  public final List<VerifyRequest> verifyRequests = new ArrayList<>();

  /** Start times, one millisecond apart, so each verify is told from the one before. */
  private Instant clock = Instant.parse("2026-12-05T12:00:00Z");

  public void setUnreachable(boolean unreachable) {
    this.unreachable = unreachable;
  }

  public FakeStorage(String system) {
    this.system = system;
  }

  /** Makes every operation whose name the predicate accepts fail with IO_ERROR-free refusal. */
  public FakeStorage failOn(Predicate<String> ops) {
    failing = ops;
    return this;
  }

  private void call(String op) {
    calls.add(op);
    if (failing.test(op)) {
      throw new StorageException(Reason.INVALID_ARGUMENT, op + " refused at " + system);
    }
  }

  @Override
  public String storageSystem() {
    return system;
  }

  @Override
  public VolumeInfo createVolume(String volumeId, long sizeBytes) {
    call("createVolume");
    if (sizes.containsKey(volumeId)) {
      throw new StorageException(Reason.VOLUME_EXISTS, volumeId + " exists");
    }
    sizes.put(volumeId, sizeBytes);
    return volume(volumeId).orElseThrow();
  }

  @Override
  public void deleteVolume(String volumeId) {
    call("deleteVolume");
    if (sizes.remove(volumeId) == null) {
      throw new StorageException(Reason.UNKNOWN_VOLUME, "no " + volumeId);
    }
    groups.remove(volumeId);
  }

  @Override
  public Optional<VolumeInfo> volume(String volumeId) {
    call("volume");
    if (!sizes.containsKey(volumeId)) {
      return Optional.empty();
    }
    return Optional.of(
        new VolumeInfo(
            new RealVolumeAddress(system, volumeId),
            sizes.get(volumeId),
            Optional.ofNullable(groups.get(volumeId))));
  }

  @Override
  public List<VolumeInfo> volumes() {
    return sizes.keySet().stream().map(v -> volume(v).orElseThrow()).toList();
  }

  @Override
  public OutOfSyncRegions defineCopyGroup(
      CopyVolumeGroupInfo group, OutOfSyncRegions inheritedHere) {
    call("defineCopyGroup");
    String volumeId = group.memberAt(system).orElseThrow().address().volumeId();
    if (!sizes.containsKey(volumeId)) {
      throw new StorageException(Reason.UNKNOWN_VOLUME, "no " + volumeId);
    }
    CopyVolumeGroupInfo current = groups.get(volumeId);
    if (current != null && group.epoch() < current.epoch()) {
      throw new StorageException(Reason.STALE_EPOCH, "older epoch " + group.epoch());
    }
    boolean primaryNow = group.primary().address().storageSystem().equals(system);
    if (primaryNow && inheritedHere.bytesOf(system) > 0) {
      throw new StorageException(Reason.INVALID_ARGUMENT, system + " misses regions itself");
    }
    boolean demoted = primaryHere(volumeId) && !primaryNow;
    groups.put(volumeId, group);
    exports.values().removeIf(epoch -> epoch < group.epoch());
    if (primaryNow && !inheritedHere.isEmpty()) {
      inherited.put(volumeId, inheritedHere);
    }
    return demoted ? outOfSync : OutOfSyncRegions.NONE;
  }

  public boolean primaryHere(String volumeId) {
    CopyVolumeGroupInfo g = groups.get(volumeId);
    return g != null && g.primary().address().storageSystem().equals(system);
  }

  public long epoch(String volumeId) {
    return groups.get(volumeId).epoch();
  }

  @Override
  public byte[] read(String volumeId, long epoch, long offset, int length) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void write(String volumeId, long epoch, long offset, byte[] data, boolean fua) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void flush(String volumeId) {}

  @Override
  public void registerExport(String exportName, String volumeId, long epoch, Instant expiresAt) {
    call("registerExport");
    if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
      throw new StorageException(Reason.INVALID_ARGUMENT, exportName + " expired already");
    }
    if (!primaryHere(volumeId) || groups.get(volumeId).epoch() != epoch) {
      throw new StorageException(Reason.NOT_PRIMARY, volumeId + " is not primary at " + epoch);
    }
    exports.put(exportName, epoch);
    if (expiresAt != null) {
      exportsExpireAt.put(exportName, expiresAt);
    }
  }

  @Override
  public void revokeExport(String exportName) {
    call("revokeExport");
    exports.remove(exportName);
  }

  @Override
  public CacheSynchronization synchronizeCache(
      String volumeId, Set<String> secondaries, Duration timeout) {
    call("synchronizeCache");
    synchronizations.add(secondaries);
    Map<String, Long> reached = new HashMap<>();
    (secondaries.isEmpty() ? inSync : secondaries).forEach(s -> reached.put(s, 1L));
    return new CacheSynchronization(volumeId, reached, 0, Duration.ZERO);
  }

  @Override
  public CopyGroupStatus verify(String volumeId, VerifyRequest request) {
    call("verify");
    if (!remoteCopy) {
      return StorageConnection.super.verify(volumeId, request);
    }
    CopyVolumeGroupInfo group = groups.get(volumeId);
    if (group == null) {
      throw new StorageException(Reason.NO_COPY_GROUP, volumeId + " belongs to no copy group");
    }
    if (!primaryHere(volumeId)) {
      throw new StorageException(Reason.NOT_PRIMARY, volumeId + " is not the primary here");
    }
    List<String> secondaries = secondariesOf(group);
    for (String s : request.secondaries()) {
      if (!secondaries.contains(s)) {
        throw new StorageException(Reason.INVALID_ARGUMENT, s + " is not a secondary of the group");
      }
      if (!canVerify(s)) {
        throw new StorageException(
            Reason.INVALID_ARGUMENT, s + " is " + state(s) + "; it needs a resync, not a verify");
      }
    }
    List<String> chosen =
        request.secondaries().isEmpty()
            ? secondaries.stream().filter(this::canVerify).toList()
            : List.copyOf(request.secondaries());
    for (String s : chosen) {
      clock = clock.plusMillis(1);
      verifies.put(
          s,
          new VerifyStatus(
              VerifyStatus.Outcome.RUNNING,
              clock,
              null,
              0,
              sizes.get(volumeId),
              1 << 20,
              0,
              List.of(),
              request.repair(),
              null));
    }
    verifyRequests.add(request);
    return primaryStatus(volumeId, group);
  }

  /** Ends the running verify of a secondary with the given outcome. */
  public void finishVerify(
      String secondary, VerifyStatus.Outcome outcome, List<Long> differingOffsets) {
    VerifyStatus v = verifies.get(secondary);
    verifies.put(
        secondary,
        new VerifyStatus(
            outcome,
            v.startedAt(),
            v.startedAt().plusSeconds(1),
            outcome == VerifyStatus.Outcome.INTERRUPTED ? v.bytesTotal() / 2 : v.bytesTotal(),
            v.bytesTotal(),
            v.regionBytes(),
            differingOffsets.size(),
            differingOffsets,
            v.repair(),
            outcome == VerifyStatus.Outcome.INTERRUPTED ? "the secondary went away" : null));
  }

  /** Moves a running verify of a secondary on to the given share of the volume. */
  public void progressVerify(String secondary, long bytesVerified) {
    VerifyStatus v = verifies.get(secondary);
    verifies.put(
        secondary,
        new VerifyStatus(
            v.outcome(),
            v.startedAt(),
            v.finishedAt(),
            bytesVerified,
            v.bytesTotal(),
            v.regionBytes(),
            v.differingRegions(),
            v.differingOffsets(),
            v.repair(),
            v.detail()));
  }

  private boolean canVerify(String secondary) {
    CopyGroupStatus.State state = state(secondary);
    return state == CopyGroupStatus.State.IN_SYNC || state == CopyGroupStatus.State.LAGGING;
  }

  private CopyGroupStatus.State state(String secondary) {
    return secondaryStates.getOrDefault(secondary, CopyGroupStatus.State.IN_SYNC);
  }

  private List<String> secondariesOf(CopyVolumeGroupInfo group) {
    return group.members().stream()
        .map(m -> m.address().storageSystem())
        .filter(s -> !s.equals(system))
        .toList();
  }

  private CopyGroupStatus primaryStatus(String volumeId, CopyVolumeGroupInfo group) {
    return new CopyGroupStatus(
        new RealVolumeAddress(system, volumeId),
        group.groupId(),
        CopyGroupStatus.Role.PRIMARY,
        group.epoch(),
        group.transferType(),
        secondariesOf(group).stream()
            .map(
                s ->
                    new CopyGroupStatus.SecondaryStatus(
                        s, state(s), 0, 0, -1, 0, 100, verifies.get(s)))
            .toList(),
        null);
  }

  @Override
  public CopyGroupStatus copyGroupStatus(String volumeId) {
    call("copyGroupStatus");
    if (remoteCopy && primaryHere(volumeId)) {
      return primaryStatus(volumeId, groups.get(volumeId));
    }
    if (applied == null) {
      return StorageConnection.super.copyGroupStatus(volumeId);
    }
    CopyVolumeGroupInfo group = groups.get(volumeId);
    return new CopyGroupStatus(
        new RealVolumeAddress(system, volumeId),
        group.groupId(),
        CopyGroupStatus.Role.SECONDARY,
        group.epoch(),
        group.transferType(),
        List.of(),
        applied);
  }

  /** How many times an operation was called. */
  public long calls(String op) {
    return calls.stream().filter(op::equals).count();
  }

  @Override
  public StorageStatus status() {
    call("status");
    return new StorageStatus(system, "127.0.0.1", 10809, sizes.size(), 1 << 20, 0, NbdTlsMode.OFF);
  }

  @Override
  public void close() {}

  /** The sites of a test, reachable by storage system name. */
  public static StorageSites sites(FakeStorage... units) {
    Map<String, FakeStorage> bySystem = new HashMap<>();
    for (FakeStorage unit : units) {
      bySystem.put(unit.system, unit);
    }
    return system -> {
      FakeStorage unit = bySystem.get(system);
      if (unit == null || unit.unreachable) {
        throw new SiteUnreachableException(system, system + " does not answer", null);
      }
      return unit;
    };
  }
}
