package org.roamstore.directory.placement;

/**
 * What the placement policy decided for a volume, with its reason in words and figures.
 *
 * @param dataCenter where a copy is added or dropped; null for {@link Action#NONE}
 */
public record PlacementDecision(Action action, String dataCenter, String reason) {

  public enum Action {
    ADD,
    DROP,
    /** Nothing to do now; the reason says what the policy waits for. */
    NONE
  }

  static PlacementDecision add(String dataCenter, String reason) {
    return new PlacementDecision(Action.ADD, dataCenter, reason);
  }

  static PlacementDecision drop(String dataCenter, String reason) {
    return new PlacementDecision(Action.DROP, dataCenter, reason);
  }

  static PlacementDecision none(String reason) {
    return new PlacementDecision(Action.NONE, null, reason);
  }

  public boolean acts() {
    return action != Action.NONE;
  }

  /** What it does, without the figures: two decisions with the same key are the same decision. */
  public String key() {
    return acts() ? action + " " + dataCenter : null;
  }
}
