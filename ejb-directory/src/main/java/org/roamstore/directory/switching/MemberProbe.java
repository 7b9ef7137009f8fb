package org.roamstore.directory.switching;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.roamstore.directory.copygroup.SiteUnreachableException;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.api.VolumeInfo;

/**
 * Asks every member of a group, all at once, for the epoch it holds (steps 901-902) and, for a
 * forced takeover, how far each secondary got in the old primary's stream. An ASYNC old primary
 * starts draining (904-905) right after it answered, on the same connection, while the others still
 * answer. A site marked down is not contacted.
 */
final class MemberProbe {
  // A secondary has caught up with what the broker held of a dead primary's stream once its
  // position stays still this long; it is given at most CATCH_UP_MAX to get there.
  static final Duration CATCH_UP_QUIET = Duration.ofMillis(300);
  static final Duration CATCH_UP_MAX = Duration.ofSeconds(10);

  private final StorageSites sites;
  private final AsyncWriteDrain drain;
  private final MemberCalls calls;

  MemberProbe(StorageSites sites, AsyncWriteDrain drain, MemberCalls calls) {
    this.sites = sites;
    this.drain = drain;
    this.calls = calls;
  }

  /** What one member answered: the epoch, or why it cannot be reached, or its refusal. */
  private record Held(
      String system,
      Long epoch,
      String unreachable,
      StorageException refused,
      CopyGroupStatus.Applied applied,
      long sizeBytes) {
    Held(String system, Long epoch, String unreachable, StorageException refused) {
      this(system, epoch, unreachable, refused, null, 0);
    }
  }

  /** Asks every member at once and waits for every answer, the drain's included. */
  ProbeAnswers ask(SwitchRequest request) {
    CopyVolumeGroupInfo current = request.current();
    String oldPrimary = request.oldPrimary();
    boolean draining = current.transferType() == TransferType.ASYNC;

    List<CompletableFuture<Held>> asked = new ArrayList<>();
    CompletableFuture<RuntimeException> drained = CompletableFuture.completedFuture(null);
    for (CopyGroupMember member : current.members()) {
      String system = member.address().storageSystem();
      if (request.down().contains(system)) {
        asked.add(
            CompletableFuture.completedFuture(
                new Held(system, null, "marked down in the directory", null)));
        continue;
      }
      boolean drainHere = draining && system.equals(oldPrimary);
      CompletableFuture<RuntimeException> drainResult = new CompletableFuture<>();
      if (drainHere) {
        drained = drainResult;
      }
      asked.add(
          calls.supply(
              () -> {
                try (StorageConnection storage = sites.connect(system)) {
                  // A forced takeover compares how far each secondary got (one question more).
                  CopyGroupStatus.Applied applied =
                      request.force() && !system.equals(oldPrimary)
                          ? appliedQuietly(storage, member)
                          : null;
                  VolumeInfo volume = memberVolume(storage, member);
                  Held held =
                      new Held(
                          system,
                          heldEpoch(volume, member),
                          null,
                          null,
                          applied,
                          volume.sizeBytes());
                  if (drainHere) {
                    drainResult.complete(
                        drainQuietly(storage, current, held.epoch(), request.newPrimary()));
                  }
                  return held;
                } catch (SiteUnreachableException e) {
                  return new Held(system, null, e.getMessage(), null);
                } catch (StorageException e) {
                  return SiteUnreachableException.isUnreachable(e)
                      ? new Held(system, null, e.getMessage(), null)
                      : new Held(system, null, null, e);
                } finally {
                  drainResult.complete(null); // not drained: the switch stops before using it
                }
              }));
    }

    Map<String, String> unreachable = new LinkedHashMap<>();
    Map<String, Long> epochs = new LinkedHashMap<>();
    Map<String, Long> sizes = new LinkedHashMap<>();
    Map<String, CopyGroupStatus.Applied> appliedBySecondary = new LinkedHashMap<>();
    StorageException refusal = null;
    String refusedAt = null;
    for (CompletableFuture<Held> answer : asked) {
      Held held = MemberCalls.join(answer);
      if (held.unreachable() != null) {
        unreachable.put(held.system(), held.unreachable());
      } else if (held.refused() != null) {
        if (refusal == null) {
          refusal = held.refused();
          refusedAt = held.system();
        }
      } else {
        epochs.put(held.system(), held.epoch());
        sizes.put(held.system(), held.sizeBytes());
        if (held.applied() != null) {
          appliedBySecondary.put(held.system(), held.applied());
        }
      }
    }
    RuntimeException drainFailure = MemberCalls.join(drained);
    return new ProbeAnswers(
        unreachable, epochs, sizes, appliedBySecondary, refusedAt, refusal, drainFailure);
  }

  /**
   * Asks the secondaries again until none has moved for {@link #CATCH_UP_QUIET} (at most {@link
   * #CATCH_UP_MAX}): what the dead primary committed to the broker before it died still reaches
   * them, and a flushed ASYNC write is among it. Returns the last positions.
   */
  Map<String, CopyGroupStatus.Applied> caughtUp(
      CopyVolumeGroupInfo current,
      Set<String> secondaries,
      Map<String, CopyGroupStatus.Applied> first) {
    Map<String, CopyGroupStatus.Applied> last = new LinkedHashMap<>(first);
    long deadline = System.nanoTime() + CATCH_UP_MAX.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        Thread.sleep(CATCH_UP_QUIET.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      boolean moved = false;
      for (String system : secondaries) {
        CopyGroupMember member = current.memberAt(system).orElseThrow();
        CopyGroupStatus.Applied now;
        try (StorageConnection storage = sites.connect(system)) {
          now = appliedQuietly(storage, member);
        } catch (RuntimeException e) {
          now = null; // gone meanwhile: its last answer stands
        }
        if (now != null && !now.equals(last.get(system))) {
          last.put(system, now);
          moved = true;
        }
      }
      if (!moved) {
        break;
      }
    }
    return last;
  }

  private RuntimeException drainQuietly(
      StorageConnection oldPrimary,
      CopyVolumeGroupInfo current,
      long heldEpoch,
      String newPrimary) {
    try {
      drain.drain(
          oldPrimary,
          current.withPrimary(
              current.primary().address().storageSystem(), Math.max(current.epoch(), heldEpoch)),
          newPrimary);
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }

  /** What a secondary's control unit applied of the group's stream; null if it cannot say. */
  private static CopyGroupStatus.Applied appliedQuietly(
      StorageConnection storage, CopyGroupMember member) {
    try {
      return storage.copyGroupStatus(member.address().volumeId()).applied();
    } catch (StorageException e) {
      return null;
    }
  }

  private static VolumeInfo memberVolume(StorageConnection storage, CopyGroupMember member) {
    return storage
        .volume(member.address().volumeId())
        .orElseThrow(
            () ->
                new StorageException(
                    StorageException.Reason.UNKNOWN_VOLUME,
                    "the real volume " + member.address() + " does not exist"));
  }

  /** The epoch a member's storage control unit holds for the group (steps 901-902). */
  private static long heldEpoch(VolumeInfo volume, CopyGroupMember member) {
    return volume
        .copyGroup()
        .orElseThrow(
            () ->
                new StorageException(
                    StorageException.Reason.NO_COPY_GROUP,
                    "the real volume " + member.address() + " belongs to no copy group"))
        .epoch();
  }
}
