package org.roamstore.directory.switching;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.roamstore.directory.copygroup.StorageSites;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.VolumeInfo;

/**
 * The copy volume group definition (Fig. 9) as the directory drives it: the one place that tells
 * members who is primary. A switch probes every member ({@link MemberProbe}: the epochs they hold,
 * and for a forced takeover how far each got; an ASYNC old primary drains meanwhile), refuses with
 * nothing changed if that does not allow it ({@link ProbeAnswers}, {@link MostCurrentCopy}), then
 * fences the old primary and defines the new layout at every other member under a new epoch ({@link
 * SwitchPlan}), carrying what the secondaries miss to the new primary ({@link ResyncRegions}).
 * Storage control units take no part in JTA, so a switch keeps what it changed and can put it back
 * ({@link CompletedSwitch#undo()}, {@link SwitchUndo}).
 *
 * <p>Questions to the members, and the definitions after the fence, go out at once (given an
 * executor); each is a round trip to another site once sites run in separate JVMs. Without an
 * executor everything runs one after the other on the caller's thread.
 *
 * <p>Besides the login's switch, provisioning gives a new group its first definition here, and a
 * site coming back up learns the current layout here, handing what it holds that the others lack to
 * the current primary.
 */
@ApplicationScoped
public class SwitchService {
  @Inject private StorageSites sites;
  @Inject private AsyncWriteDrain drain;
  @Inject private StorageCalls storageCalls;

  private MemberCalls calls;
  private MemberProbe probe;
  private SwitchUndo undo;

  /** For the container: storage calls run on {@link StorageCalls}. */
  public SwitchService() {}

  /** Every call to storage one after the other on the caller's thread. */
  public SwitchService(StorageSites sites, AsyncWriteDrain drain) {
    this(sites, drain, Runnable::run);
  }

  /**
   * Calls to different members run on the executor at the same time, while the caller waits. The
   * executor must never queue a task behind one that waits for a switch (a pool that runs a task on
   * the caller's thread when it is full is fine).
   */
  public SwitchService(StorageSites sites, AsyncWriteDrain drain, Executor executor) {
    this.sites = sites;
    this.drain = drain;
    wire(executor);
  }

  @PostConstruct
  void init() {
    wire(storageCalls);
  }

  private void wire(Executor executor) {
    calls = new MemberCalls(executor);
    probe = new MemberProbe(sites, drain, calls);
    undo = new SwitchUndo(sites);
  }

  /** Runs the switch, or refuses with nothing changed, or fails part way and undoes what it did. */
  public CompletedSwitch switchPrimary(SwitchRequest request) {
    ProbeAnswers answers = probe.ask(request);
    answers.refuseUnlessSwitchable(request);
    Map<String, CopyGroupStatus.Applied> applied = answers.applied();
    String moreCurrent = null;
    OutOfSyncRegions elsewhere = OutOfSyncRegions.NONE;
    if (request.force() && !answers.reachedOldPrimary(request)) {
      // A takeover without the old primary: its stream is cut where each secondary got. Let them
      // apply what the broker still holds of it first, then take the one that got furthest.
      applied = probe.caughtUp(request.current(), applied.keySet(), applied);
      moreCurrent = MostCurrentCopy.moreCurrentThanNewPrimary(request, applied);
      elsewhere =
          ResyncRegions.notWhereTheNewPrimaryIs(
              request.newPrimary(), answers.epochs().keySet(), applied, answers.sizes());
    }
    CopyGroupStatus.Applied appliedAtNewPrimary = applied.get(request.newPrimary());
    answers.refuseIfNotDrained(request);

    SwitchPlan plan = SwitchPlan.of(request, answers.epochs().values());
    List<String> changed = defineEverywhere(request, plan, answers, elsewhere);
    Map<String, String> skipped = answers.unreachable();
    return new CompletedSwitch(
        request,
        plan.next(),
        plan.inOrder(changed),
        skipped,
        skipped.isEmpty() ? null : appliedAtNewPrimary,
        moreCurrent,
        undo);
  }

  /**
   * Fences the old primary (if it answered), then defines the new layout at every other member that
   * answered; returns where it changed. A failure undoes what changed and is thrown.
   *
   * @param elsewhere after a takeover, the regions of the survivors not where the new primary is
   */
  private List<String> defineEverywhere(
      SwitchRequest request, SwitchPlan plan, ProbeAnswers answers, OutOfSyncRegions elsewhere) {
    CopyVolumeGroupInfo next = plan.next();
    List<String> changed = Collections.synchronizedList(new ArrayList<>());
    String fence = plan.fence();
    // What the old primary's secondaries miss moves with the primary (empty if it was not reached).
    OutOfSyncRegions missed = OutOfSyncRegions.NONE;
    if (!answers.unreachable().containsKey(fence)) {
      Defined fenced = define(fence, next, OutOfSyncRegions.NONE, changed);
      if (fenced.failure() != null) {
        throw switchFailed(request, plan, changed, fence, fenced.failure());
      }
      missed = fenced.handedOver();
    }
    // Plus, after a takeover, every survivor that did not get exactly as far as the new primary.
    OutOfSyncRegions inherited = ResyncRegions.merged(missed, elsewhere);
    List<String> rest =
        plan.afterFence().stream().filter(s -> !answers.unreachable().containsKey(s)).toList();
    // One after the other (no executor), a failure stops the rest, as it always did; at the same
    // time, the others may have changed too, and the undo takes them back.
    AtomicBoolean failedOnce = new AtomicBoolean();
    List<CompletableFuture<RuntimeException>> defined = new ArrayList<>();
    for (String system : rest) {
      defined.add(
          calls.supply(
              () -> {
                if (failedOnce.get()) {
                  return null;
                }
                RuntimeException failed =
                    define(
                            system,
                            next,
                            system.equals(request.newPrimary()) ? inherited : OutOfSyncRegions.NONE,
                            changed)
                        .failure();
                if (failed != null) {
                  failedOnce.set(true);
                }
                return failed;
              }));
    }
    String failedAt = null;
    RuntimeException failure = null;
    for (int i = 0; i < rest.size(); i++) {
      RuntimeException failed = MemberCalls.join(defined.get(i));
      if (failed != null && failure == null) {
        failedAt = rest.get(i);
        failure = failed;
      }
    }
    if (failure != null) {
      throw switchFailed(request, plan, changed, failedAt, failure);
    }
    return changed;
  }

  /** What defining the group at one member gave: what it handed over, or why it failed. */
  private record Defined(OutOfSyncRegions handedOver, RuntimeException failure) {}

  /** Defines the group at one member; returns the failure instead of throwing it. */
  private Defined define(
      String system, CopyVolumeGroupInfo next, OutOfSyncRegions inherited, List<String> changed) {
    try (StorageConnection storage = sites.connect(system)) {
      OutOfSyncRegions handedOver = storage.defineCopyGroup(next, inherited);
      changed.add(system);
      return new Defined(handedOver, null);
    } catch (RuntimeException e) {
      return new Defined(OutOfSyncRegions.NONE, e);
    }
  }

  private DirectoryException switchFailed(
      SwitchRequest request,
      SwitchPlan plan,
      List<String> changed,
      String system,
      RuntimeException e) {
    CopyVolumeGroupInfo next = plan.next();
    UndoOutcome undone = undo.undo(request, plan.inOrder(changed), next.epoch());
    return new DirectoryException(
        ErrorCode.SWITCH_FAILED,
        "switching "
            + next.groupId()
            + " to "
            + request.newPrimary()
            + " failed at "
            + system
            + ": "
            + e.getMessage()
            + "; "
            + request.oldPrimary()
            + " stays primary ("
            + undone.describe()
            + ")",
        Map.of("failedAt", system, "undone", undone.describe()));
  }

  /**
   * The epoch the primary's storage control unit holds, checking that it does hold the primary, on
   * a connection the caller holds to it: what a login that does not switch binds its access to when
   * storage refuses the directory's epoch (storage is ahead after an undo).
   */
  public long epochAtPrimary(StorageConnection storage, CopyVolumeGroupInfo group) {
    return PrimaryEpoch.of(storage, group);
  }

  /** Provisioning: a new group's first definition, at the member {@code system} holds. */
  public void defineNewGroup(CopyVolumeGroupInfo group, String system) {
    try (StorageConnection storage = sites.connect(system)) {
      storage.defineCopyGroup(group);
    }
  }

  /**
   * A site coming back up: a forced takeover may have moved the primary while it was away, and its
   * storage still holds the old copy group information (perhaps as primary). Its member learns the
   * current layout, even at its own epoch: a member that was primary when it went away may hold
   * bytes the others lack (its hot regions, what its secondaries missed). It hands them over at
   * every definition until it is primary again, and the current primary takes them over and resyncs
   * them from its copy to every other member. A member already ahead of the directory (an undo left
   * it there) is left as it is.
   */
  public void bringBack(CopyVolumeGroupInfo group, String system) {
    try (StorageConnection storage = sites.connect(system)) {
      // The directory names a volume's copy group and its real volumes alike (its storage id).
      long held =
          storage
              .volume(group.groupId())
              .flatMap(VolumeInfo::copyGroup)
              .map(CopyVolumeGroupInfo::epoch)
              .orElse(0L);
      if (held <= group.epoch()) {
        OutOfSyncRegions handedOver = storage.defineCopyGroup(group, OutOfSyncRegions.NONE);
        String primary = group.primary().address().storageSystem();
        if (!handedOver.isEmpty() && !primary.equals(system)) {
          try (StorageConnection current = sites.connect(primary)) {
            current.defineCopyGroup(group, handedOver);
          }
        }
      }
    }
  }
}
