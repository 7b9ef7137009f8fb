package org.roamstore.directory.copygroup;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.TransferType;
import org.roamstore.storage.api.VolumeInfo;

/**
 * The copy volume group definition (Fig. 9) as the directory drives it: every member of the group
 * is told the new primary under a new epoch. Storage control units take no part in JTA, so this
 * class keeps what it changed and can put it back ({@link Switch#undo()}).
 *
 * <p>The order is chosen so that at no moment two members accept writes as primary: the old primary
 * is fenced first, then the other members learn the new layout, the new primary among them. They
 * may learn it at the same time (given an executor): nobody can write at the new primary before the
 * login registers an export at the new epoch, which it does only once every member has it. An undo
 * goes the other way round (the new primary first, the old primary last).
 *
 * <p>Questions to the members (the epochs they hold) go out at once as well, and an ASYNC old
 * primary starts draining while the others answer; each is a round trip to another site once sites
 * run in separate JVMs. Without an executor everything runs one after the other on the caller's
 * thread.
 *
 * <p>Storage control units refuse a definition older than the one they hold, so an undo cannot
 * write the old epoch back: it defines the old layout under the next epoch instead. That leaves the
 * storage ahead of the directory, which is why a switch starts from the highest epoch the old and
 * the new primary report, and the login catches the directory's epoch up.
 */
public final class CopyGroupDefinition {
  private static final Logger LOG = Logger.getLogger(CopyGroupDefinition.class.getName());

  private final StorageSites sites;
  private final AsyncWriteDrain drain;
  private final Executor executor;

  /** Every call to storage one after the other on the caller's thread. */
  public CopyGroupDefinition(StorageSites sites, AsyncWriteDrain drain) {
    this(sites, drain, Runnable::run);
  }

  /**
   * Calls to different members run on the executor at the same time, while the caller waits. The
   * executor must never queue a task behind one that waits for a switch (a pool that runs a task on
   * the caller's thread when it is full is fine).
   */
  public CopyGroupDefinition(StorageSites sites, AsyncWriteDrain drain, Executor executor) {
    this.sites = sites;
    this.drain = drain;
    this.executor = executor;
  }

  /**
   * What to switch.
   *
   * @param current the group as the directory has it, with the current (old) primary
   * @param newPrimary the storage system whose member becomes primary
   * @param down storage systems the directory has marked down; they are not contacted
   * @param force whether unreachable members (the old primary included) may be skipped
   * @param exportsAtOldPrimary export names (with their expiry) to re-register at the old primary
   *     if an undo restores it, so its users keep working after a failed switch
   * @param acceptStale for a forced takeover: the caller named the new primary explicitly and takes
   *     it even if another surviving member has applied more of the old primary's stream
   */
  public record Request(
      CopyVolumeGroupInfo current,
      String newPrimary,
      Set<String> down,
      boolean force,
      Map<String, Instant> exportsAtOldPrimary,
      boolean acceptStale) {

    public Request(
        CopyVolumeGroupInfo current,
        String newPrimary,
        Set<String> down,
        boolean force,
        Map<String, Instant> exportsAtOldPrimary) {
      this(current, newPrimary, down, force, exportsAtOldPrimary, false);
    }

    public Request {
      down = Set.copyOf(down);
      exportsAtOldPrimary = Map.copyOf(exportsAtOldPrimary);
      if (current.memberAt(newPrimary).isEmpty()) {
        throw new IllegalArgumentException(newPrimary + " holds no member of " + current.groupId());
      }
      if (current.primary().address().storageSystem().equals(newPrimary)) {
        throw new IllegalArgumentException(newPrimary + " is the primary of " + current.groupId());
      }
    }

    String oldPrimary() {
      return current.primary().address().storageSystem();
    }
  }

  /** A switch that went through at every member it could reach. */
  public final class Switch {
    private final Request request;
    private final CopyVolumeGroupInfo group;
    private final List<String> changed;
    private final Map<String, String> skipped;
    private final CopyGroupStatus.Applied appliedAtNewPrimary;
    private final String moreCurrent;

    private Switch(
        Request request,
        CopyVolumeGroupInfo group,
        List<String> changed,
        Map<String, String> skipped,
        CopyGroupStatus.Applied appliedAtNewPrimary,
        String moreCurrent) {
      this.request = request;
      this.group = group;
      this.changed = List.copyOf(changed);
      this.skipped = Map.copyOf(skipped);
      this.appliedAtNewPrimary = appliedAtNewPrimary;
      this.moreCurrent = moreCurrent;
    }

    /**
     * For a forced takeover the caller chose although another surviving member was more current:
     * which, and by how many writes; empty otherwise.
     */
    public Optional<String> moreCurrent() {
      return Optional.ofNullable(moreCurrent);
    }

    public CopyVolumeGroupInfo group() {
      return group;
    }

    public long epoch() {
      return group.epoch();
    }

    /**
     * For a forced takeover: the last write of the old primary's stream the new primary had applied
     * when it took over, as it reported it; empty if it did not (or the switch was not forced).
     * What the old primary accepted after that may be lost.
     */
    public Optional<CopyGroupStatus.Applied> appliedAtNewPrimary() {
      return Optional.ofNullable(appliedAtNewPrimary);
    }

    /** Members a forced takeover could not reach, with why; empty for a normal switch. */
    public Map<String, String> skipped() {
      return skipped;
    }

    /**
     * The storage systems that now hold the new layout. Their storage dropped every export of an
     * older epoch when it learned it (durably), so the directory need not revoke those one by one.
     */
    public List<String> changed() {
      return changed;
    }

    /** Puts the old primary back at every member this switch changed; says what it did. */
    public Undo undo() {
      return CopyGroupDefinition.this.undo(request, changed, group.epoch());
    }
  }

  /** What an undo did: where the old layout is back, and where putting it back failed. */
  public record Undo(long epoch, List<String> restored, Map<String, String> failures) {
    public boolean complete() {
      return failures.isEmpty();
    }

    public String describe() {
      if (restored.isEmpty() && failures.isEmpty()) {
        return "nothing had changed";
      }
      String text = "restored " + String.join(", ", restored) + " at epoch " + epoch;
      return failures.isEmpty() ? text : text + "; NOT restored: " + failures;
    }
  }

  /** What one member answered when asked for its epoch: the epoch, or why it cannot be reached. */
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

  /** Runs the switch, or refuses with nothing changed, or fails part way and undoes what it did. */
  public Switch switchPrimary(Request request) {
    CopyVolumeGroupInfo current = request.current();
    String volumeGroup = current.groupId();
    String oldPrimary = request.oldPrimary();
    boolean draining = current.transferType() == TransferType.ASYNC;

    // Steps 901-902 at every member at once; the old primary drains (904-905) right after it
    // answered, on the same connection, while the others still answer.
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
          supply(
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
                  return isUnreachable(e)
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
    CopyGroupStatus.Applied appliedAtNewPrimary = null;
    Map<String, CopyGroupStatus.Applied> appliedBySecondary = new LinkedHashMap<>();
    StorageException refusal = null;
    String refusedAt = null;
    for (CompletableFuture<Held> answer : asked) {
      Held held = join(answer);
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
    RuntimeException drainFailure = join(drained);
    if (refusal != null) {
      throw new DirectoryException(
          ErrorCode.SWITCH_FAILED,
          "member "
              + current.memberAt(refusedAt).map(m -> m.address().toString()).orElse(refusedAt)
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
    String moreCurrent = null;
    OutOfSyncRegions elsewhere = OutOfSyncRegions.NONE;
    if (request.force() && unreachable.containsKey(oldPrimary)) {
      // A takeover without the old primary: its stream is cut where each secondary got. Let them
      // apply what the broker still holds of it first, then take the one that got furthest.
      appliedBySecondary = caughtUp(current, appliedBySecondary.keySet(), appliedBySecondary);
      moreCurrent = moreCurrentThanNewPrimary(request, appliedBySecondary);
      elsewhere = notWhereTheNewPrimaryIs(request, epochs.keySet(), appliedBySecondary, sizes);
    }
    appliedAtNewPrimary = appliedBySecondary.get(request.newPrimary());
    if (drainFailure != null) {
      throw new DirectoryException(
          ErrorCode.SWITCH_FAILED,
          "the old primary "
              + oldPrimary
              + " could not drain its write data: "
              + drainFailure.getMessage(),
          Map.of("failedAt", oldPrimary, "undone", "nothing had changed"));
    }

    long base =
        Math.max(
            current.epoch(), epochs.values().stream().mapToLong(Long::longValue).max().orElse(0));
    CopyVolumeGroupInfo next = current.withPrimary(request.newPrimary(), base + 1);

    // The old primary is fenced first and alone; then every other member learns the new layout.
    List<String> order = fencingOrder(current, oldPrimary, request.newPrimary());
    List<String> changed = Collections.synchronizedList(new ArrayList<>());
    String fence = order.get(0);
    // What the old primary's secondaries miss moves with the primary (empty if it was not reached).
    OutOfSyncRegions missed = OutOfSyncRegions.NONE;
    if (!unreachable.containsKey(fence)) {
      Defined fenced = define(fence, next, OutOfSyncRegions.NONE, changed);
      if (fenced.failure() != null) {
        throw switchFailed(request, next, changed, fence, fenced.failure());
      }
      missed = fenced.handedOver();
    }
    // Plus, after a takeover, every survivor that did not get exactly as far as the new primary.
    OutOfSyncRegions inherited = merged(missed, elsewhere);
    List<String> rest =
        order.subList(1, order.size()).stream().filter(s -> !unreachable.containsKey(s)).toList();
    // One after the other (no executor), a failure stops the rest, as it always did; at the same
    // time, the others may have changed too, and the undo takes them back.
    AtomicBoolean failedOnce = new AtomicBoolean();
    List<CompletableFuture<RuntimeException>> defined = new ArrayList<>();
    for (String system : rest) {
      defined.add(
          supply(
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
      RuntimeException failed = join(defined.get(i));
      if (failed != null && failure == null) {
        failedAt = rest.get(i);
        failure = failed;
      }
    }
    if (failure != null) {
      throw switchFailed(request, next, changed, failedAt, failure);
    }
    List<String> inOrder = order.stream().filter(changed::contains).toList();
    return new Switch(
        request,
        next,
        inOrder,
        unreachable,
        unreachable.isEmpty() ? null : appliedAtNewPrimary,
        moreCurrent);
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
      Request request,
      CopyVolumeGroupInfo next,
      List<String> changed,
      String system,
      RuntimeException e) {
    List<String> inOrder =
        fencingOrder(request.current(), request.oldPrimary(), request.newPrimary()).stream()
            .filter(changed::contains)
            .toList();
    Undo undo = undo(request, inOrder, next.epoch());
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
            + undo.describe()
            + ")",
        Map.of("failedAt", system, "undone", undo.describe()));
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

  private <T> CompletableFuture<T> supply(java.util.function.Supplier<T> task) {
    return CompletableFuture.supplyAsync(task, executor);
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  // A secondary has caught up with what the broker held of a dead primary's stream once its
  // position stays still this long; it is given at most CATCH_UP_MAX to get there.
  static final Duration CATCH_UP_QUIET = Duration.ofMillis(300);
  static final Duration CATCH_UP_MAX = Duration.ofSeconds(10);

  /**
   * Asks the secondaries again until none has moved for {@link #CATCH_UP_QUIET} (at most {@link
   * #CATCH_UP_MAX}): what the dead primary committed to the broker before it died still reaches
   * them, and a flushed ASYNC write is among it. Returns the last positions.
   */
  private Map<String, CopyGroupStatus.Applied> caughtUp(
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

  /**
   * Refuses a forced takeover by a secondary that applied less of the old primary's stream than
   * another surviving one (what only the other has would be lost), unless the caller named it
   * explicitly; then returns which was more current, for the record.
   */
  private static String moreCurrentThanNewPrimary(
      Request request, Map<String, CopyGroupStatus.Applied> applied) {
    CopyGroupStatus.Applied chosen = applied.get(request.newPrimary());
    String best = null;
    for (Map.Entry<String, CopyGroupStatus.Applied> e : applied.entrySet()) {
      if (!e.getKey().equals(request.newPrimary())
          && isAhead(e.getValue(), chosen)
          && (best == null || isAhead(e.getValue(), applied.get(best)))) {
        best = e.getKey();
      }
    }
    if (best == null) {
      return chosen != null && chosen.resyncing() ? outOfDate(request, chosen) : null;
    }
    CopyGroupStatus.Applied better = applied.get(best);
    String behind = chosen == null ? "reports no position in it" : "has " + describe(chosen);
    String text = best + " has " + describe(better) + "; " + request.newPrimary() + " " + behind;
    if (!request.acceptStale()) {
      throw new DirectoryException(
          ErrorCode.STALE_COPY,
          "a forced takeover by "
              + request.newPrimary()
              + " would lose writes: "
              + text
              + ". Take over at "
              + best
              + ", or name "
              + request.newPrimary()
              + " explicitly to accept the loss",
          Map.of("site", best, "behind", behind));
    }
    return text;
  }

  /**
   * No survivor is ahead of the chosen one, but it was told it is out of date (the old primary went
   * on without it, or was still resyncing it): it may lack writes that were acknowledged, and no
   * survivor is known to hold them. Refused unless named explicitly, like a copy behind another.
   */
  private static String outOfDate(Request request, CopyGroupStatus.Applied chosen) {
    String text =
        request.newPrimary()
            + " has "
            + describe(chosen)
            + ": the old primary went on without it, and no survivor is known to hold every"
            + " acknowledged write";
    if (!request.acceptStale()) {
      throw new DirectoryException(
          ErrorCode.STALE_COPY,
          "a forced takeover by "
              + request.newPrimary()
              + " may lose writes: "
              + text
              + ". Wait for the old primary, or name "
              + request.newPrimary()
              + " explicitly to accept the loss",
          Map.of("behind", describe(chosen)));
    }
    return text;
  }

  // Regions of a whole-volume resync: the storage engine's out-of-sync regions are 1 MiB.
  static final int RESYNC_REGION_BYTES = 1 << 20;

  /**
   * After a takeover without the old primary, a survivor that got less far in its stream than the
   * new primary misses writes, one that got further holds writes the new primary lacks (it was
   * taken all the same), and one that cannot say may be either: which regions differ, only the dead
   * primary knew. So each of them is resynced whole from the new primary (it hands over the exact
   * regions only if it comes back). One at exactly the new primary's position is left as it is.
   */
  private static OutOfSyncRegions notWhereTheNewPrimaryIs(
      Request request,
      Set<String> survivors,
      Map<String, CopyGroupStatus.Applied> applied,
      Map<String, Long> sizes) {
    CopyGroupStatus.Applied at = applied.get(request.newPrimary());
    OutOfSyncRegions whole = OutOfSyncRegions.NONE;
    for (String system : survivors) {
      if (system.equals(request.newPrimary())) {
        continue;
      }
      CopyGroupStatus.Applied there = applied.get(system);
      // Neither having applied anything of any stream (a volume never written) is the same too.
      boolean same = at == null ? there == null : at.samePositionAs(there);
      if (!same) {
        long size = sizes.getOrDefault(system, 0L);
        java.util.BitSet all = new java.util.BitSet();
        all.set(0, (int) ((size + RESYNC_REGION_BYTES - 1) / RESYNC_REGION_BYTES));
        whole = whole.with(system, all, RESYNC_REGION_BYTES);
      }
    }
    return whole;
  }

  private static OutOfSyncRegions merged(OutOfSyncRegions a, OutOfSyncRegions b) {
    OutOfSyncRegions all = a;
    for (String system : b.secondaries()) {
      all = all.with(system, b.regionsOf(system), b.regionBytes());
    }
    return all;
  }

  /**
   * Whether {@code a} holds every write {@code b} holds and more (the storage API's rule, {@link
   * CopyGroupStatus.Applied#isAheadOf}: epoch, start of the primary, then the primary's write
   * number, which is the same at every secondary of one stream).
   */
  private static boolean isAhead(CopyGroupStatus.Applied a, CopyGroupStatus.Applied b) {
    return a != null && a.isAheadOf(b);
  }

  private static String describe(CopyGroupStatus.Applied a) {
    return "the old primary's write "
        + (a.lastWrite() < 0 ? "(number unknown)" : Long.toString(a.lastWrite()))
        + " of epoch "
        + a.fromEpoch()
        + (a.resyncing() ? ", still being resynced" : "");
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

  /** The epoch a member's storage control unit holds for the group (steps 901-902). */
  private static long heldEpoch(StorageConnection storage, CopyGroupMember member) {
    return heldEpoch(memberVolume(storage, member), member);
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

  /**
   * The epoch the primary's storage control unit holds, checking that it does hold the primary.
   * Used by a login that does not switch, to bind its access to the epoch storage enforces.
   */
  public long epochAtPrimary(CopyVolumeGroupInfo group) {
    String system = group.primary().address().storageSystem();
    try (StorageConnection storage = sites.connect(system)) {
      return epochAtPrimary(storage, group);
    } catch (SiteUnreachableException e) {
      throw new DirectoryException(
          ErrorCode.SITE_UNAVAILABLE, e.getMessage(), Map.of("site", system));
    }
  }

  /** The same on a connection the caller holds to the primary's storage control unit. */
  public static long epochAtPrimary(StorageConnection storage, CopyVolumeGroupInfo group) {
    CopyGroupMember primary = group.primary();
    String system = primary.address().storageSystem();
    try {
      VolumeInfo volume =
          storage
              .volume(primary.address().volumeId())
              .orElseThrow(
                  () ->
                      new DirectoryException(
                          ErrorCode.STORAGE_INCONSISTENT,
                          "the primary real volume " + primary.address() + " does not exist"));
      if (!volume.isPrimaryHere()) {
        throw new DirectoryException(
            ErrorCode.STORAGE_INCONSISTENT,
            "the directory has "
                + primary.address()
                + " as primary but its storage control unit does not ("
                + volume.copyGroup().map(Object::toString).orElse("no copy group")
                + ")");
      }
      return volume.copyGroup().orElseThrow().epoch();
    } catch (StorageException e) {
      throw new DirectoryException(
          isUnreachable(e) ? ErrorCode.SITE_UNAVAILABLE : ErrorCode.STORAGE_INCONSISTENT,
          "storage system " + system + ": " + e.getMessage(),
          Map.of("site", system));
    }
  }

  private Undo undo(Request request, List<String> changed, long switchedEpoch) {
    long epoch = switchedEpoch + 1;
    List<String> restored = new ArrayList<>();
    Map<String, String> failures = new LinkedHashMap<>();
    if (changed.isEmpty()) {
      return new Undo(epoch, restored, failures);
    }
    CopyVolumeGroupInfo back = request.current().withPrimary(request.oldPrimary(), epoch);
    List<String> reverse = new ArrayList<>(changed);
    Collections.reverse(reverse);
    // The new primary is demoted first and hands back what its secondaries miss by then.
    OutOfSyncRegions missed = OutOfSyncRegions.NONE;
    for (String system : reverse) {
      try (StorageConnection storage = sites.connect(system)) {
        OutOfSyncRegions handedOver =
            storage.defineCopyGroup(
                back, system.equals(request.oldPrimary()) ? missed : OutOfSyncRegions.NONE);
        if (system.equals(request.newPrimary())) {
          missed = handedOver;
        }
        if (system.equals(request.oldPrimary())) {
          String volumeId = back.primary().address().volumeId();
          Instant now = Instant.now();
          for (Map.Entry<String, Instant> export : request.exportsAtOldPrimary().entrySet()) {
            if (export.getValue().isAfter(now)) { // one that ended meanwhile stays gone
              storage.registerExport(export.getKey(), volumeId, epoch, export.getValue());
            }
          }
        }
        restored.add(system);
      } catch (RuntimeException e) {
        failures.put(system, String.valueOf(e.getMessage()));
        LOG.log(
            Level.SEVERE,
            "could not restore copy group "
                + back.groupId()
                + " at "
                + system
                + " after a failed"
                + " switch; an operator must check it",
            e);
      }
    }
    return new Undo(epoch, restored, failures);
  }

  static List<String> fencingOrder(
      CopyVolumeGroupInfo group, String oldPrimary, String newPrimary) {
    List<String> order = new ArrayList<>();
    order.add(oldPrimary);
    group.members().stream()
        .map(m -> m.address().storageSystem())
        .filter(s -> !s.equals(oldPrimary) && !s.equals(newPrimary))
        .forEach(order::add);
    order.add(newPrimary);
    return order;
  }

  public static boolean isUnreachable(StorageException e) {
    return e.reason() == StorageException.Reason.IO_ERROR
        || e.reason() == StorageException.Reason.CLOSED
        || e.reason() == StorageException.Reason.UNREACHABLE;
  }
}
