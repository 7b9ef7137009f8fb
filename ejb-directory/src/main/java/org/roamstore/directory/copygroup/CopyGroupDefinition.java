package org.roamstore.directory.copygroup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
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
 * is fenced first, the other secondaries follow, the new primary learns last. An undo goes the
 * other way round.
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

  public CopyGroupDefinition(StorageSites sites, AsyncWriteDrain drain) {
    this.sites = sites;
    this.drain = drain;
  }

  /**
   * What to switch.
   *
   * @param current the group as the directory has it, with the current (old) primary
   * @param newPrimary the storage system whose member becomes primary
   * @param down storage systems the directory has marked down; they are not contacted
   * @param force whether unreachable members (the old primary included) may be skipped
   * @param exportsAtOldPrimary export names to re-register at the old primary if an undo restores
   *     it, so its users keep working after a failed switch
   */
  public record Request(
      CopyVolumeGroupInfo current,
      String newPrimary,
      Set<String> down,
      boolean force,
      List<String> exportsAtOldPrimary) {

    public Request {
      down = Set.copyOf(down);
      exportsAtOldPrimary = List.copyOf(exportsAtOldPrimary);
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

    private Switch(
        Request request,
        CopyVolumeGroupInfo group,
        List<String> changed,
        Map<String, String> skipped) {
      this.request = request;
      this.group = group;
      this.changed = List.copyOf(changed);
      this.skipped = Map.copyOf(skipped);
    }

    public CopyVolumeGroupInfo group() {
      return group;
    }

    public long epoch() {
      return group.epoch();
    }

    /** Members a forced takeover could not reach, with why; empty for a normal switch. */
    public Map<String, String> skipped() {
      return skipped;
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

  /** Runs the switch, or refuses with nothing changed, or fails part way and undoes what it did. */
  public Switch switchPrimary(Request request) {
    CopyVolumeGroupInfo current = request.current();
    String volumeGroup = current.groupId();
    String oldPrimary = request.oldPrimary();

    Map<String, String> unreachable = new LinkedHashMap<>();
    Map<String, Long> epochs = new LinkedHashMap<>();
    for (CopyGroupMember member : current.members()) {
      String system = member.address().storageSystem();
      if (request.down().contains(system)) {
        unreachable.put(system, "marked down in the directory");
        continue;
      }
      try (StorageConnection storage = sites.connect(system)) {
        epochs.put(system, heldEpoch(storage, member));
      } catch (SiteUnreachableException e) {
        unreachable.put(system, e.getMessage());
      } catch (StorageException e) {
        if (isUnreachable(e)) {
          unreachable.put(system, e.getMessage());
        } else {
          throw new DirectoryException(
              ErrorCode.SWITCH_FAILED,
              "member " + member.address() + " cannot take part: " + e.getMessage(),
              Map.of("failedAt", system, "undone", "nothing had changed"));
        }
      }
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

    long base =
        Math.max(
            current.epoch(), epochs.values().stream().mapToLong(Long::longValue).max().orElse(0));
    CopyVolumeGroupInfo atOld =
        new CopyVolumeGroupInfo(volumeGroup, current.transferType(), base, current.members());
    CopyVolumeGroupInfo next = withPrimary(current, request.newPrimary(), base + 1);

    if (current.transferType() == TransferType.ASYNC && !unreachable.containsKey(oldPrimary)) {
      try (StorageConnection storage = sites.connect(oldPrimary)) {
        drain.drain(storage, atOld);
      } catch (RuntimeException e) {
        throw new DirectoryException(
            ErrorCode.SWITCH_FAILED,
            "the old primary " + oldPrimary + " could not drain its write data: " + e.getMessage(),
            Map.of("failedAt", oldPrimary, "undone", "nothing had changed"));
      }
    }

    List<String> changed = new ArrayList<>();
    for (String system : fencingOrder(current, oldPrimary, request.newPrimary())) {
      if (unreachable.containsKey(system)) {
        continue;
      }
      try (StorageConnection storage = sites.connect(system)) {
        storage.defineCopyGroup(next);
        changed.add(system);
      } catch (RuntimeException e) {
        Undo undo = undo(request, changed, next.epoch());
        throw new DirectoryException(
            ErrorCode.SWITCH_FAILED,
            "switching "
                + volumeGroup
                + " to "
                + request.newPrimary()
                + " failed at "
                + system
                + ": "
                + e.getMessage()
                + "; "
                + oldPrimary
                + " stays primary ("
                + undo.describe()
                + ")",
            Map.of("failedAt", system, "undone", undo.describe()));
      }
    }
    return new Switch(request, next, changed, unreachable);
  }

  /** The epoch a member's storage control unit holds for the group (steps 901-902). */
  private static long heldEpoch(StorageConnection storage, CopyGroupMember member) {
    String volumeId = member.address().volumeId();
    VolumeInfo volume =
        storage
            .volume(volumeId)
            .orElseThrow(
                () ->
                    new StorageException(
                        StorageException.Reason.UNKNOWN_VOLUME,
                        "the real volume " + member.address() + " does not exist"));
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
    CopyGroupMember primary = group.primary();
    String system = primary.address().storageSystem();
    try (StorageConnection storage = sites.connect(system)) {
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
    } catch (SiteUnreachableException e) {
      throw new DirectoryException(
          ErrorCode.SITE_UNAVAILABLE, e.getMessage(), Map.of("site", system));
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
    CopyVolumeGroupInfo back = withPrimary(request.current(), request.oldPrimary(), epoch);
    List<String> reverse = new ArrayList<>(changed);
    java.util.Collections.reverse(reverse);
    for (String system : reverse) {
      try (StorageConnection storage = sites.connect(system)) {
        storage.defineCopyGroup(back);
        if (system.equals(request.oldPrimary())) {
          String volumeId = back.primary().address().volumeId();
          for (String export : request.exportsAtOldPrimary()) {
            storage.registerExport(export, volumeId, epoch);
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

  static CopyVolumeGroupInfo withPrimary(CopyVolumeGroupInfo group, String primary, long epoch) {
    return new CopyVolumeGroupInfo(
        group.groupId(),
        group.transferType(),
        epoch,
        group.members().stream()
            .map(m -> new CopyGroupMember(m.address(), m.address().storageSystem().equals(primary)))
            .toList());
  }

  static boolean isUnreachable(StorageException e) {
    return e.reason() == StorageException.Reason.IO_ERROR
        || e.reason() == StorageException.Reason.CLOSED
        || e.reason() == StorageException.Reason.UNREACHABLE;
  }
}
