package org.roamstore.directory.placement;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The placement policy's decision for a volume: first keep to the number of copies (drop the
 * farthest), else add a copy where the logins come from, else nothing, each with its reason.
 */
public final class PlacementRule {
  private PlacementRule() {}

  public static PlacementDecision decide(PlacementFacts f) {
    Optional<PlacementDecision> drop = DropCopyFarthestFromLogins.decide(f);
    if (drop.isPresent()) {
      return drop.get();
    }
    return AddCopyWhereLoginsCome.decide(f)
        .orElseGet(() -> PlacementDecision.none(AddCopyWhereLoginsCome.notYet(f)));
  }

  /**
   * What a dry run announces: the decision, and after an added copy the drop that would follow once
   * it is in sync (a dry run adds nothing, so that drop would never be decided otherwise).
   */
  public static List<PlacementDecision> dryRun(PlacementFacts f) {
    PlacementDecision first = decide(f);
    List<PlacementDecision> out = new ArrayList<>(List.of(first));
    if (first.action() == PlacementDecision.Action.ADD) {
      PlacementFacts after = f.withCopyAt(first.dataCenter());
      DropCopyFarthestFromLogins.decide(after)
          .filter(PlacementDecision::acts)
          .ifPresent(
              d ->
                  out.add(
                      PlacementDecision.drop(
                          d.dataCenter(),
                          "once the copy at "
                              + first.dataCenter()
                              + " is in sync: "
                              + d.reason())));
    }
    return out;
  }
}
