package org.roamstore.directory.switching;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;

/** A switch that went through at every member it could reach; {@link #undo()} puts it back. */
public final class CompletedSwitch {
  private final SwitchRequest request;
  private final CopyVolumeGroupInfo group;
  private final List<String> changed;
  private final Map<String, String> skipped;
  private final CopyGroupStatus.Applied appliedAtNewPrimary;
  private final String moreCurrent;
  private final SwitchUndo undo;

  CompletedSwitch(
      SwitchRequest request,
      CopyVolumeGroupInfo group,
      List<String> changed,
      Map<String, String> skipped,
      CopyGroupStatus.Applied appliedAtNewPrimary,
      String moreCurrent,
      SwitchUndo undo) {
    this.request = request;
    this.group = group;
    this.changed = List.copyOf(changed);
    this.skipped = Map.copyOf(skipped);
    this.appliedAtNewPrimary = appliedAtNewPrimary;
    this.moreCurrent = moreCurrent;
    this.undo = undo;
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
   * when it took over, as it reported it; empty if it did not (or the switch was not forced). What
   * the old primary accepted after that may be lost.
   */
  public Optional<CopyGroupStatus.Applied> appliedAtNewPrimary() {
    return Optional.ofNullable(appliedAtNewPrimary);
  }

  /** Members a forced takeover could not reach, with why; empty for a normal switch. */
  public Map<String, String> skipped() {
    return skipped;
  }

  /**
   * The storage systems that now hold the new layout, in the order they learned it. Their storage
   * dropped every export of an older epoch when it learned it (durably), so the directory need not
   * revoke those one by one.
   */
  public List<String> changed() {
    return changed;
  }

  /** Puts the old primary back at every member this switch changed; says what it did. */
  public UndoOutcome undo() {
    return undo.undo(request, changed, group.epoch());
  }
}
