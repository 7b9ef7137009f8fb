package org.roamstore.directory.switching;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import org.roamstore.storage.api.CopyVolumeGroupInfo;

/**
 * The order and the epochs of a switch and of its undo.
 *
 * <p>The order is chosen so that at no moment two members accept writes as primary: the old primary
 * is fenced first, then the other members learn the new layout, the new primary among them (last
 * when they learn one after the other). They may learn it at the same time: nobody can write at the
 * new primary before the login registers an export at the new epoch, which it does only once every
 * member has it. An undo goes the other way round (the new primary first, the old primary last).
 *
 * <p>Storage control units refuse a definition older than the one they hold, so an undo cannot
 * write the old epoch back: it defines the old layout under the next epoch instead. That leaves the
 * storage ahead of the directory, which is why a switch starts from the highest epoch the members
 * report, and the login catches the directory's epoch up.
 */
final class SwitchPlan {
  private final List<String> order;
  private final CopyVolumeGroupInfo next;

  private SwitchPlan(List<String> order, CopyVolumeGroupInfo next) {
    this.order = List.copyOf(order);
    this.next = next;
  }

  /** The plan to switch {@code request} given the epochs the members that answered hold. */
  static SwitchPlan of(SwitchRequest request, Collection<Long> heldEpochs) {
    CopyVolumeGroupInfo current = request.current();
    return new SwitchPlan(
        fencingOrder(current, request.oldPrimary(), request.newPrimary()),
        current.withPrimary(request.newPrimary(), nextEpoch(current.epoch(), heldEpochs)));
  }

  /** The group as every member learns it: the new primary, under the next epoch. */
  CopyVolumeGroupInfo next() {
    return next;
  }

  /** The member fenced first and alone: the old primary. */
  String fence() {
    return order.get(0);
  }

  /** Every other member, the new primary last. */
  List<String> afterFence() {
    return order.subList(1, order.size());
  }

  /** The members of {@code changed}, in the order a switch changes them (what an undo reverses). */
  List<String> inOrder(Collection<String> changed) {
    return order.stream().filter(changed::contains).toList();
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

  /** Above the directory's epoch and every epoch a member holds (an undo left it ahead). */
  static long nextEpoch(long directoryEpoch, Collection<Long> heldEpochs) {
    return Math.max(directoryEpoch, heldEpochs.stream().mapToLong(Long::longValue).max().orElse(0))
        + 1;
  }

  /** An undo changes the members back in the reverse order: the new primary first. */
  static List<String> undoOrder(List<String> changed) {
    List<String> reverse = new ArrayList<>(changed);
    Collections.reverse(reverse);
    return reverse;
  }

  /** An undo's epoch: the next one, since storage refuses the epoch it held before. */
  static long undoEpoch(long switchedEpoch) {
    return switchedEpoch + 1;
  }
}
